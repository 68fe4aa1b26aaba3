"""Fixtures of the engine tests about the pipeline: a contact with an account owner, sent asks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from advocacy.customers.models import Account, Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.plays import load_playbook
from advocacy.engine.policy import Policy
from advocacy.pipeline.models import Ask, AskStatus, AskType
from advocacy.signals.models import Signal

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
# The asks a test starts from are the pipeline as it stands, not what the caps would allow now.
NO_CAPS = Policy(cap_days=dict.fromkeys(("low", "medium", "high", "very_high"), 0), ask_types={})


def make_eligible(contact: Contact, *, at: dt.datetime = NOW) -> Contact:
    """Give `contact` what the program's gate asks of any ask type: a customer of over a
    year with good health, an NPS of 10 and recent activity (the mature stage), an expansion and
    a shared result (its account must already have an owning CSM)."""
    account = contact.account
    Account.objects.filter(pk=account.pk).update(customer_since=dt.date(2025, 1, 1))
    facts = [
        ("nps", contact, 10, 10),
        ("health_score", None, 5, 85),
        ("activity", contact, 2, None),
        ("expansion", None, 20, None),
        ("result_shared", None, 30, None),
    ]
    Signal.objects.bulk_create(
        [
            Signal(
                source="fixture",
                key=f"{kind}-{contact.pk}",
                kind=kind,
                account=account,
                contact=who,
                occurred_at=at - dt.timedelta(days=days),
                value=value,
            )
            for kind, who, days, value in facts
        ]
    )
    return contact


@pytest.fixture
def ada(member: Any) -> Contact:
    """An advocate every ask type's gate lets through (mature stage, owned by `member`)."""
    load_playbook(now=NOW)
    account = Account.objects.create(name="Acme", domain="acme.example", owner=member)
    return make_eligible(Contact.objects.create(account=account, email="ada@acme.example"))


def sent_ask(contact: Contact, code: str = "case_study", play: str = "expansion-case-study") -> Ask:
    request = AskRequest(
        contact.pk,
        AskType.objects.get(code=code),
        f"signal:{code}",
        play=play,
        status=AskStatus.SENT,
        owner_id=contact.account.owner_id,
        owner_role="cs",
        channel="csm",
    )
    return open_asks([request], now=NOW, policy=NO_CAPS).opened[0]
