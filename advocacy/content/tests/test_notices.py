"""Content waiting for approval: GIVEN a draft by someone who may not review content, THEN the
marketing pool finds it on its queue; a draft by marketing itself tells no one."""

from __future__ import annotations

from typing import Any

import pytest

from advocacy.content.models import AssetKind
from advocacy.content.services import create_asset
from advocacy.content.tests.conftest import NOW, advocate
from advocacy.pipeline.notices import Notice

pytestmark = pytest.mark.django_db


def test_a_draft_by_someone_who_may_not_review_waits_for_marketing(
    member: Any, marketer: Any
) -> None:
    theirs = create_asset(
        kind=AssetKind.QUOTE, title="Weekends back", contact=advocate(), actor=member, now=NOW
    )
    create_asset(
        kind=AssetKind.QUOTE, title="Mine", contact=advocate("b@b.example"), actor=marketer,
        now=NOW,
    )  # fmt: skip
    waiting = Notice.objects.get()
    assert (waiting.kind, waiting.role, waiting.recipient_id, waiting.path) == (
        "approval_waiting", "marketing", None, f"/content/{theirs.pk}/"
    )  # fmt: skip
    assert waiting.text == (
        "member drafted the quote “Weekends back” of Ada Lovelace: it waits for review"
    )
