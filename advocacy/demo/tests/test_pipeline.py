"""The demo carries its asks along: states spread over the weeks, every move an event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from advocacy.customers.models import Account, Contact
from advocacy.demo.pipeline import progress_asks
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.pipeline.models import TRANSITIONS, Ask, AskEvent, AskStatus, AskType

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def test_asks_move_along_legal_paths_at_moments_between_opening_and_now(db: Any) -> None:
    account = Account.objects.create(name="Acme")
    review = AskType.objects.get(code="review")
    for i in range(200):
        contact = Contact.objects.create(account=account, email=f"c{i}@acme.example")
        opened = NOW - dt.timedelta(days=i % 60)
        open_asks([AskRequest(contact.pk, review, f"m{i}", play="p")], now=opened)
    moved = progress_asks(now=NOW)
    counts = {s: Ask.objects.filter(status=s).count() for s in AskStatus.values}
    assert sum(counts.values()) == 200
    for status in (AskStatus.SENT, AskStatus.ACCEPTED, AskStatus.DECLINED, AskStatus.PUBLISHED):
        assert moved[status] > 0, status
    assert counts[AskStatus.PROPOSED] > 0  # the newest are not sent yet
    for event in AskEvent.objects.exclude(from_status="").select_related("ask"):
        assert event.to_status in TRANSITIONS[event.from_status]
        assert event.ask.opened_at < event.at <= NOW
    assert progress_asks(now=NOW).get(AskStatus.SENT, 0) <= counts[AskStatus.PROPOSED]


def test_asks_left_past_due_are_closed_but_for_a_realistic_few(db: Any) -> None:
    """GIVEN asks opened every day of 90 with a 7-day answer deadline
    WHEN the demo carries them along
    THEN about 12% of the open asks are overdue, the most recently due, and the others past due
    were closed a few days after their deadline, never after now."""
    account = Account.objects.create(name="Acme")
    review = AskType.objects.get(code="review")
    for i in range(300):
        contact = Contact.objects.create(account=account, email=f"c{i}@acme.example")
        opened = NOW - dt.timedelta(days=i % 90, hours=1 + i % 5)
        request = AskRequest(
            contact.pk, review, f"m{i}", play="p", due_at=opened + dt.timedelta(days=7)
        )
        open_asks([request], now=opened)
    progress_asks(now=NOW)
    still_open = Ask.objects.open()
    on_time = still_open.exclude(due_at__lt=NOW).count()
    overdue = still_open.filter(due_at__lt=NOW)
    assert overdue.count() == round(on_time * 0.12 / 0.88) > 0
    assert 0.10 <= overdue.count() / still_open.count() <= 0.15
    assert overdue.filter(due_at__lt=NOW - dt.timedelta(days=7)).count() == 0
    closed_late = AskEvent.objects.filter(to_status=AskStatus.CANCELLED).select_related("ask")
    assert closed_late.count() > 0
    for event in closed_late:
        # Three days after the deadline (or the last move), or now when that is still ahead.
        assert min(event.ask.due_at + dt.timedelta(days=3), NOW) <= event.at <= NOW
    assert any(e.at == e.ask.due_at + dt.timedelta(days=3) for e in closed_late)
    assert Ask.objects.filter(due_at__lt=NOW - dt.timedelta(days=30)).open().count() == 0
