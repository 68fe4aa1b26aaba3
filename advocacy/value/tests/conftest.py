"""An account with an admin, a champion and a month of signals: the value moments' world."""

from __future__ import annotations

import datetime as dt
from itertools import count
from typing import Any

import pytest

from advocacy.customers.models import Account, Contact
from advocacy.signals.models import Signal

NOW = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)
_keys = count(1)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)


def signal(
    account: Account,
    kind: str,
    when: dt.datetime,
    *,
    contact: Contact | None = None,
    value: float | None = None,
    text: str = "",
) -> Signal:
    return Signal.objects.create(
        source="test",
        key=f"k{next(_keys)}",
        kind=kind,
        account=account,
        contact=contact,
        occurred_at=when,
        value=value,
        text=text,
    )


@pytest.fixture(autouse=True)
def _names(settings: Any) -> None:
    settings.PRODUCT_NAME = "Beacon"
    settings.PROGRAM_NAME = "Beacon Champions"


@pytest.fixture
def world(db: None, member: Any) -> dict[str, Any]:
    acme = Account.objects.create(name="Acme", domain="acme.example", owner=member)
    ada = Contact.objects.create(
        account=acme, email="ada@acme.example", first_name="Ada", last_name="Byron", persona="admin"
    )
    bo = Contact.objects.create(
        account=acme, email="bo@acme.example", first_name="Bo", persona="champion"
    )
    # October: Bo active twice; November: Ada and Bo, three activities, two milestones.
    signal(acme, "activity", at("2026-10-05"), contact=bo)
    signal(acme, "activity", at("2026-10-20"), contact=bo)
    signal(acme, "activity", at("2026-11-03"), contact=ada)
    signal(acme, "activity", at("2026-11-10"), contact=bo)
    signal(acme, "activity", at("2026-11-30", 23), contact=bo)
    signal(acme, "usage_milestone", at("2026-11-04"), contact=ada, text="100 dashboards built")
    signal(acme, "usage_milestone", at("2026-11-18"), text="every team onboarded")
    signal(acme, "activity", at("2026-12-01", 0), contact=ada)  # December: not November's
    signal(acme, "health_score", at("2026-10-28"), value=78)
    signal(acme, "health_score", at("2026-11-25"), value=82.5)
    return {"acme": acme, "ada": ada, "bo": bo}
