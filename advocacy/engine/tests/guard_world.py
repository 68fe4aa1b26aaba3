"""A small account for the guard tests: advocates with signals, asks opened through open_asks."""

from __future__ import annotations

import datetime as dt
from itertools import count
from typing import Any

from advocacy.customers.models import Account, Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.engine.tests.conftest import NO_CAPS
from advocacy.pipeline.models import Ask, AskStatus, AskType
from advocacy.signals.models import Signal

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
_keys = count(1)


def account(name: str = "Acme", owner: Any = None) -> Account:
    return Account.objects.create(
        name=name,
        domain=f"{name.lower()}.example",
        customer_since=dt.date(2024, 1, 1),
        owner=owner,
    )


def person(acct: Account, name: str, persona: str = "champion") -> Contact:
    return Contact.objects.create(
        account=acct,
        email=f"{name}@{acct.domain}",
        first_name=name.capitalize(),
        persona=persona,
    )


def signal(
    acct: Account,
    kind: str,
    *,
    contact: Contact | None = None,
    value: float | None = None,
    at: dt.datetime = NOW - dt.timedelta(days=1),
) -> Signal:
    return Signal.objects.create(
        source="test",
        key=f"{kind}-{next(_keys)}",
        kind=kind,
        account=acct,
        contact=contact,
        value=value,
        occurred_at=at,
    )


def promoter(contact: Contact, nps: float = 10) -> None:
    signal(contact.account, "nps", contact=contact, value=nps, at=NOW - dt.timedelta(days=20))


def ask(
    contact: Contact,
    code: str = "case_study",
    *,
    play: str = "",
    status: str = AskStatus.SENT,
    at: dt.datetime = NOW - dt.timedelta(days=10),
    capped: bool = False,
) -> Ask:
    """An ask as the pipeline holds it; `capped`: it claims the policy's windows, as a real
    ask does (by default fixtures open asks however close together a test needs them)."""
    request = AskRequest(
        contact.pk,
        AskType.objects.get(code=code),
        f"test:{code}:{next(_keys)}",
        play=play,
        status=status,
        owner_id=contact.account.owner_id,
        owner_role="cs",
        channel="csm",
    )
    return open_asks([request], now=at, policy=DEFAULT_POLICY if capped else NO_CAPS).opened[0]
