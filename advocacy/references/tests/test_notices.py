"""The desk's team notices: GIVEN sales files a request, THEN the desk (the customer success
pool) is told; WHEN a call fills it, THEN whoever filed it is told, with whom and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.pipeline.notices import Notice
from advocacy.references import services as desk
from advocacy.references.tests.test_desk import file
from advocacy.references.tests.world import NOW, advocate, refresh

pytestmark = pytest.mark.django_db


def test_a_request_filed_tells_the_desk_and_filled_tells_who_filed_it(
    seller: Any, member: Any
) -> None:
    ann = advocate("ann@a.example")
    refresh()
    request = file(seller)
    filed = Notice.objects.get()
    assert (filed.kind, filed.recipient_id, filed.role, filed.contact_id, filed.path) == (
        "request_filed", None, "cs", None, f"/references/{request.pk}/"
    )  # fmt: skip
    assert filed.text == "seller asks for a reference for Globex (SaaS), needed by 2026-06-15"

    made = desk.offer(request, ann, actor=member, now=NOW, policy=DEFAULT_POLICY)
    desk.respond(made, True, actor=member, now=NOW, policy=DEFAULT_POLICY)
    starts = dt.datetime(2026, 6, 4, 15, tzinfo=dt.UTC)
    desk.schedule_call(made, starts_at=starts, actor=member, now=NOW)

    filled = Notice.objects.get(kind="request_filled")
    assert (filled.recipient_id, filled.contact_id, filled.path) == (
        seller.pk, ann.pk, f"/references/{request.pk}/"
    )  # fmt: skip
    assert filled.text.endswith("takes the reference call for Globex on 2026-06-04 15:00 UTC")
