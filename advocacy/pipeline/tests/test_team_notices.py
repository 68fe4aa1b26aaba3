"""Team notices of the asks: GIVEN an ask given to someone or overdue, THEN its owner (and its
lead) find a notice on their queue, written in the same transaction, once per fact."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from advocacy.pipeline.escalation import escalate_overdue
from advocacy.pipeline.models import AskStatus
from advocacy.pipeline.notices import Notice
from advocacy.pipeline.process_models import RoutingRule
from advocacy.pipeline.routing import route_asks
from advocacy.pipeline.services import assign_ask
from advocacy.pipeline.tests.factories import NOW, make_ask

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)
REVIEW = "Review (G2, Capterra, TrustRadius)"


def notices() -> list[tuple[str, int | None, str, str]]:
    return list(Notice.objects.order_by("pk").values_list("kind", "recipient_id", "role", "text"))


def test_an_ask_given_by_hand_tells_its_new_owner_but_not_who_took_it(
    owner: Any, member: Any
) -> None:
    ask = make_ask(status=AskStatus.SENT)
    assign_ask(ask, member, actor=owner, now=NOW, note="you know them")
    who = f"{ask.contact.email} ({ask.contact.account.name})"
    assert notices() == [
        ("ask_assigned", member.pk, "", f"{REVIEW} with {who} is yours now: you know them")
    ]
    assert Notice.objects.get().ask_id == ask.pk
    assign_ask(ask, owner, actor=owner, now=NOW + HOUR)  # took it oneself: nobody to tell
    assign_ask(ask, None, actor=owner, now=NOW + 2 * HOUR)  # unowned: the pool's board
    assert len(notices()) == 1
    assign_ask(ask, member, actor=owner, now=NOW + 3 * HOUR)  # given again: news again
    assert [n[0] for n in notices()] == ["ask_assigned", "ask_assigned"]


def test_routing_tells_the_asks_new_owners_only(member: Any) -> None:
    RoutingRule.objects.create(
        position=1, name="all to member", owner=member, role="cs", created_at=NOW, updated_at=NOW
    )
    asks = [make_ask(opened=False) for _ in range(3)]
    route_asks([a.pk for a in asks], now=NOW)
    assert sorted(n[:3] for n in notices()) == [("ask_assigned", member.pk, "")] * 3
    route_asks([a.pk for a in asks], now=NOW + HOUR)  # the same owner: no news
    assert len(notices()) == 3


def test_an_overdue_ask_tells_its_owner_and_its_lead_once(
    settings: Any, owner: Any, member: Any
) -> None:
    settings.ESCALATION_GRACE_HOURS = 24
    mine = make_ask(status=AskStatus.SENT, due_at=NOW - 30 * HOUR, owner=member)
    pooled = make_ask(status=AskStatus.SENT, due_at=NOW - 30 * HOUR, owner_role="marketing")
    escalate_overdue(now=NOW)
    escalate_overdue(now=NOW + HOUR)
    got = {(n.ask_id, n.recipient_id, n.role) for n in Notice.objects.all()}
    assert got == {
        (mine.pk, member.pk, ""),  # its owner
        (mine.pk, owner.pk, ""),  # the lead it went to (the first admin)
        (pooled.pk, None, pooled.owner_role),  # no owner: its pool
        (pooled.pk, owner.pk, ""),
    }
    lead = Notice.objects.get(ask=mine, recipient=owner)
    assert lead.kind == "ask_overdue"
    assert lead.text.startswith(f"escalated to you: {REVIEW} with ")
    assert lead.text.endswith("is overdue since 2026-05-31 06:00 (grace 24 h)")
