"""An ask opened by hand for someone else tells its owner; the asks a play opens do not (they
are on their owners' boards, and a play may open hundreds at once)."""

from __future__ import annotations

from typing import Any

import pytest

from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.policy import Policy
from advocacy.pipeline.models import AskType
from advocacy.pipeline.notices import Notice
from advocacy.pipeline.tests.factories import NOW, make_contact

pytestmark = pytest.mark.django_db
NO_CAPS = Policy(cap_days=dict.fromkeys(("low", "medium", "high", "very_high"), 0), ask_types={})


def request(owner: Any, moment: str) -> AskRequest:
    review = AskType.objects.get(code="review")
    return AskRequest(make_contact().pk, review, moment, owner_id=owner.pk)


def test_a_nomination_by_hand_tells_the_owner_a_plays_asks_do_not(owner: Any, member: Any) -> None:
    open_asks([request(member, "play:1")], now=NOW, policy=NO_CAPS)
    assert Notice.objects.count() == 0
    opened = open_asks([request(member, "manual:1")], now=NOW, policy=NO_CAPS, actor=owner)
    (ask,) = opened.opened
    open_asks([request(owner, "manual:2")], now=NOW, policy=NO_CAPS, actor=owner)  # one's own
    notice = Notice.objects.get()
    assert (notice.kind, notice.ask_id, notice.recipient_id) == (
        "ask_assigned", ask.pk, member.pk
    )  # fmt: skip
    assert notice.text.endswith("is yours now: opened by owner")
