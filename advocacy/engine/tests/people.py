"""People as a row of a table describes them: a contact with just the signals that make them so.

The defaults make an advocate in the expansion stage whom every rule of the default policy lets
through; a test changes one thing (`replace(BASE, health=69)`) and says what must follow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from advocacy.customers.models import Account, Contact
from advocacy.people.models import User
from advocacy.signals.models import Signal

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Person:
    """A contact as the row describes them; the defaults make an advocate in the expansion
    stage whom every rule lets through (days are counted back from NOW; None: never)."""

    nps: float | None = 10
    nps_days: int = 10
    health: float | None = 78
    tenure_days: int = 400
    active_days: int | None = 2
    owned: bool = True
    expansion_days: int | None = 20
    result_days: int | None = 30
    ticket_opened_days: int | None = None
    ticket_closed_days: int | None = None
    account: dict[str, bool] = field(default_factory=dict)  # nda, churn_risk…
    opted_out: bool = False
    left: bool = False
    persona: str = "champion"


BASE = Person()
MATURE = replace(BASE, health=85, tenure_days=500)
ENGAGED = replace(BASE, expansion_days=None, result_days=None, tenure_days=200)


def build(person: Person, csm: User, n: int = 0) -> Contact:
    """The contact of row `n`, on an account of its own."""
    day = lambda d: NOW - dt.timedelta(days=d)  # noqa: E731
    account = Account.objects.create(
        name=f"Row {n}",
        domain=f"row{n}.example",
        customer_since=day(person.tenure_days).date(),
        owner=csm if person.owned else None,
        **person.account,
    )
    contact = Contact.objects.create(
        account=account,
        email=f"p{n}@row{n}.example",
        persona=person.persona,
        opted_out_at=day(3) if person.opted_out else None,
        left_company_at=day(3) if person.left else None,
    )
    facts: list[tuple[str, Contact | None, int | None, float | None]] = [
        ("nps", contact, person.nps_days if person.nps is not None else None, person.nps),
        ("health_score", None, 4 if person.health is not None else None, person.health),
        ("activity", contact, person.active_days, None),
        ("expansion", None, person.expansion_days, None),
        ("result_shared", None, person.result_days, None),
        ("ticket_opened", None, person.ticket_opened_days, None),
        ("ticket_closed", None, person.ticket_closed_days, None),
    ]
    Signal.objects.bulk_create(
        Signal(
            source="row",
            key=f"{kind}-{contact.pk}",
            kind=kind,
            account=account,
            contact=who,
            occurred_at=day(days),
            value=value,
        )
        for kind, who, days, value in facts
        if days is not None
    )
    return contact
