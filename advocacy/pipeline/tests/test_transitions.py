"""The ask's life: only the declared moves succeed, each is an event, and races have one winner."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from advocacy.customers.models import Account, Contact
from advocacy.pipeline.models import TRANSITIONS, Ask, AskEvent, AskStatus, AskType
from advocacy.pipeline.services import (
    InvalidTransition,
    advance_ask,
    advance_asks,
    allowed_moves,
    assign_ask,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
_serial = itertools.count(1)


def make_ask(status: str = AskStatus.SENT, **fields: Any) -> Ask:
    """An ask made directly (tests only: the application opens asks through open_asks)."""
    n = next(_serial)
    account = Account.objects.create(name=f"Acme {n}", domain=f"acme{n}.example")
    contact = Contact.objects.create(account=account, email=f"ada{n}@acme{n}.example")
    return Ask.objects.create(
        contact=contact,
        ask_type=AskType.objects.get(code="review"),
        moment=f"manual:{n}",
        status=status,
        opened_at=NOW - dt.timedelta(days=10),
        **fields,
    )


def test_exactly_the_declared_moves_succeed(member: Any) -> None:
    """GIVEN an ask in each state WHEN every (from, to) pair is tried THEN the table decides."""
    ask = make_ask()
    succeeded = set()
    for source, target in itertools.product(AskStatus.values, repeat=2):
        Ask.objects.filter(pk=ask.pk).update(status=source)
        ask.status = source
        try:
            advance_ask(ask, target, actor=member, now=NOW)
        except InvalidTransition as exc:
            assert (exc.from_status, exc.to_status) == (source, target)
            assert Ask.objects.get(pk=ask.pk).status == source
        else:
            succeeded.add((source, target))
            assert Ask.objects.get(pk=ask.pk).status == target
    declared = {(s, t) for s, targets in TRANSITIONS.items() for t in targets}
    assert succeeded == declared
    assert len(declared) == 15
    assert AskEvent.objects.filter(ask=ask).count() == 15


def test_a_move_is_an_event_with_actor_time_and_note(member: Any) -> None:
    ask = make_ask(AskStatus.PROPOSED)
    advance_ask(ask, AskStatus.QUEUED, actor=member, now=NOW, note="looks right")
    event = AskEvent.objects.get(ask=ask)
    assert (event.from_status, event.to_status, event.actor, event.note, event.at) == (
        "proposed",
        "queued",
        member,
        "looks right",
        NOW,
    )
    assert (ask.status, Ask.objects.get(pk=ask.pk).updated_at) == ("queued", NOW)


def test_the_refusal_names_from_to_and_the_allowed_moves() -> None:
    ask = make_ask(AskStatus.PROPOSED)
    with pytest.raises(InvalidTransition) as caught:
        advance_ask(ask, AskStatus.COMPLETED, actor=None, now=NOW)
    assert str(caught.value) == (
        f"ask {ask.pk}: cannot move from proposed to completed; "
        "allowed from proposed: queued, sent, cancelled"
    )
    assert caught.value.allowed == ["queued", "sent", "cancelled"]
    final = make_ask(AskStatus.PUBLISHED)
    with pytest.raises(InvalidTransition, match="allowed from published: none"):
        advance_ask(final, AskStatus.CANCELLED, actor=None, now=NOW)
    with pytest.raises(InvalidTransition, match="'won' is not a state of an ask"):
        advance_ask(final, "won", actor=None, now=NOW)


def test_of_two_moves_from_the_same_state_only_the_first_wins(member: Any, owner: Any) -> None:
    """GIVEN two copies of a sent ask WHEN both move THEN the stale one is refused (no event)."""
    first = make_ask(AskStatus.SENT)
    second = Ask.objects.get(pk=first.pk)
    advance_ask(first, AskStatus.ACCEPTED, actor=member, now=NOW)
    with pytest.raises(InvalidTransition) as caught:
        advance_ask(second, AskStatus.CANCELLED, actor=owner, now=NOW)
    assert str(caught.value) == (
        f"ask {first.pk}: it moved from sent to accepted meanwhile; cannot move it to "
        "cancelled; allowed from accepted: scheduled, completed, cancelled"
    )
    assert Ask.objects.get(pk=first.pk).status == "accepted"
    assert list(AskEvent.objects.values_list("to_status", flat=True)) == ["accepted"]


def test_bulk_moves_take_only_the_asks_that_may_move(member: Any) -> None:
    a, b = make_ask(AskStatus.PROPOSED), make_ask(AskStatus.QUEUED)
    c = make_ask(AskStatus.ACCEPTED)
    result = advance_asks([a.pk, b.pk, c.pk, 999_999], AskStatus.SENT, actor=member, now=NOW)
    assert (result.moved, result.refused, result.missing) == (
        [a.pk, b.pk],
        {c.pk: "accepted"},
        [999_999],
    )
    statuses = dict(Ask.objects.values_list("pk", "status"))
    assert statuses == {a.pk: "sent", b.pk: "sent", c.pk: "accepted"}
    assert sorted(AskEvent.objects.values_list("ask_id", "from_status", "to_status")) == [
        (a.pk, "proposed", "sent"),
        (b.pk, "queued", "sent"),
    ]


def test_overdue_and_follow_up_querysets() -> None:
    late = make_ask(AskStatus.SENT, due_at=NOW - dt.timedelta(hours=1))
    make_ask(AskStatus.SENT, due_at=NOW + dt.timedelta(hours=1))
    make_ask(AskStatus.DECLINED, due_at=NOW - dt.timedelta(days=3))  # closed: never overdue
    make_ask(AskStatus.ACCEPTED)  # no due date
    remind = make_ask(AskStatus.SENT, follow_up_at=NOW - dt.timedelta(days=1))
    make_ask(AskStatus.ACCEPTED, follow_up_at=NOW - dt.timedelta(days=1))  # answered already
    make_ask(AskStatus.SENT, follow_up_at=NOW + dt.timedelta(days=1))
    assert list(Ask.objects.overdue(NOW).values_list("pk", flat=True)) == [late.pk]
    assert list(Ask.objects.needs_follow_up(NOW).values_list("pk", flat=True)) == [remind.pk]


def test_assigning_an_owner_is_recorded(member: Any, owner: Any) -> None:
    ask = make_ask(AskStatus.PROPOSED)
    assign_ask(ask, member, actor=owner, now=NOW, note="her account")
    assert Ask.objects.get(pk=ask.pk).owner == member
    event = AskEvent.objects.get(ask=ask)
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        "proposed",
        "proposed",
        owner,
        "assigned to member: her account",
    )


def test_allowed_moves_follow_the_life_of_an_ask() -> None:
    assert allowed_moves("sent") == ["accepted", "declined", "expired", "cancelled"]
    assert allowed_moves("cancelled") == []
