"""Builders for the engine pages' tests: a few advocates with profiles, promoters for plays."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from advocacy.customers.models import Account, Contact, Region, SizeBand
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.engine.state import refresh_profiles
from advocacy.signals.models import SignalKind
from advocacy.web.tests.conftest import csm, make_account, make_contact, make_signal


def advocates(now: datetime) -> dict[str, Any]:
    """Four contacts in three accounts, at different stages and rungs; profiles computed.

    Ann: a promoter at a long-standing healthy account owned by a CSM (mature, engaged, ready
    for every ask but a case study, which wants a shared result, and content co-creation, which
    wants an advocate).
    Bob: her colleague with no signals of his own (activation, satisfied by the account health).
    Cat: a detractor at a new account (paused: ready for nothing).
    Dan: nothing known at all.
    """
    acme = make_account(
        "Acme",
        domain="acme.example",
        industry="Manufacturing",
        region=Region.EMEA,
        size_band=SizeBand.ENTERPRISE,
        customer_since=date(2023, 1, 1),
        owner=csm(),
    )
    globex = make_account(
        "Globex",
        domain="globex.example",
        industry="Software",
        region=Region.NORTH_AMERICA,
        size_band=SizeBand.SMB,
        customer_since=(now - timedelta(days=30)).date(),
        owner=csm(),
    )
    initech = make_account("Initech", domain="initech.example", industry="Software")
    ann = make_contact(acme, "Ann", last_name="Archer", persona="champion")
    bob = make_contact(acme, "Bob", last_name="Baker", persona="executive")
    cat = make_contact(globex, "Cat", last_name="Cole", persona="champion")
    dan = make_contact(initech, "Dan", last_name="Dunn", persona="admin")
    make_signal(SignalKind.HEALTH_SCORE, now - timedelta(days=3), account=acme, value=85)
    make_signal(SignalKind.NPS, now - timedelta(hours=20), contact=ann, value=10)
    make_signal(SignalKind.ACTIVITY, now - timedelta(days=2), contact=ann)
    make_signal(SignalKind.NPS, now - timedelta(days=5), contact=cat, value=3)
    refresh_profiles(now=now, policy=DEFAULT_POLICY)
    return {"acme": acme, "globex": globex, "ann": ann, "bob": bob, "cat": cat, "dan": dan}


def program_account(name: str, at: datetime, **fields: Any) -> Account:
    """An account the program's gate lets its people be asked: a customer since 2024, owned by
    a CSM, with a health score of 85 three days before `at`."""
    fields.setdefault("customer_since", date(2024, 1, 1))
    account = make_account(name, owner=csm(), **fields)
    make_signal(SignalKind.HEALTH_SCORE, at - timedelta(days=3), account=account, value=85)
    return account


def promoters(account: Account, count: int, at: datetime) -> list[Contact]:
    """`count` active contacts who answered NPS 10 at `at` (the NPS promoter play's trigger)."""
    contacts = [make_contact(account, f"Promoter{i}") for i in range(count)]
    for contact in contacts:
        make_signal(SignalKind.NPS, at, contact=contact, value=10)
        make_signal(SignalKind.ACTIVITY, at - timedelta(days=1), contact=contact)
    return contacts
