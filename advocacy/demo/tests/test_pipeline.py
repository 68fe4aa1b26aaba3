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
