"""Contacts the program's gate lets through, for tests of every layer from signals up: the
same shape as the API tests' `customer` (which lives in a layer the others may not import)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from advocacy.customers.models import Account, Contact
from advocacy.people.models import User
from advocacy.signals.models import Signal

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def csm() -> User:
    """The customer success manager who owns the accounts `customer` makes."""
    return User.objects.get_or_create(
        username="csm", defaults={"email": "csm@example.com", "role": "cs"}
    )[0]


def signal(
    contact: Contact,
    kind: str,
    at: dt.datetime,
    value: float | None = None,
    *,
    account_wide: bool = False,
) -> Signal:
    return Signal.objects.create(
        source="test",
        key=f"{kind}-{contact.pk}-{at.isoformat()}",
        kind=kind,
        account=contact.account,
        contact=None if account_wide else contact,
        occurred_at=at,
        value=value,
    )


def customer(
    email: str,
    *,
    nps: float | None = 10,
    active: bool = True,
    health: float | None = 85,
    at: dt.datetime = NOW,
    **fields: Any,
) -> Contact:
    """A contact of its own account (a customer since 2025, owned by `csm`), with an NPS answer
    five hours before `at`, product activity two days before and an account health of 85 three
    days before."""
    domain = email.split("@")[1]
    account, created = Account.objects.get_or_create(
        domain=domain,
        defaults={
            "name": domain.split(".")[0].title(),
            "customer_since": dt.date(2025, 1, 1),
            "owner": csm(),
        },
    )
    contact = Contact.objects.create(account=account, email=email, **fields)
    if nps is not None:
        signal(contact, "nps", at - dt.timedelta(hours=5), nps)
    if active:
        signal(contact, "activity", at - dt.timedelta(days=2))
    if created and health is not None:
        signal(contact, "health_score", at - dt.timedelta(days=3), health, account_wide=True)
    return contact
