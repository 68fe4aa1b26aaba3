"""Asks and accounts for the pipeline's tests (asks made directly: tests only)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from advocacy.customers.models import Account, Contact
from advocacy.pipeline.models import Ask, AskStatus, AskType
from advocacy.pipeline.process import asks_opened

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
_serial = itertools.count(1)


def make_contact(**account_fields: Any) -> Contact:
    n = next(_serial)
    account = Account.objects.create(name=f"Acme {n}", domain=f"acme{n}.example", **account_fields)
    return Contact.objects.create(account=account, email=f"ada{n}@acme{n}.example")


def make_ask(
    code: str = "review",
    status: str = AskStatus.PROPOSED,
    contact: Contact | None = None,
    opened: bool = True,
    **fields: Any,
) -> Ask:
    """An ask as `open_asks` leaves it: created, then routed with its checklist copied."""
    contact = contact or make_contact()
    ask = Ask.objects.create(
        contact=contact,
        ask_type=AskType.objects.get(code=code),
        moment=f"manual:{next(_serial)}",
        status=status,
        opened_at=NOW - dt.timedelta(days=10),
        **fields,
    )
    if opened:
        asks_opened([ask.pk], now=NOW)
        ask.refresh_from_db()
    return ask
