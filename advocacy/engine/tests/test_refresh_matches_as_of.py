"""The stored profiles are the profiles as of their moment: the refresh (chunked, each account's
lookups read once per chunk) writes, column for column, what `with_profile` and the verdict of
every ask type compute for the same contacts at the same moment, over a varied program."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from typing import Any

import pytest

from advocacy.customers.models import Account, Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.models import ContactProfile
from advocacy.engine.plays import load_playbook
from advocacy.engine.policy import DEFAULT_POLICY, Policy
from advocacy.engine.profile import with_profile
from advocacy.engine.readiness import OK, verdict
from advocacy.engine.state import refresh_profiles
from advocacy.engine.tests.conftest import make_eligible
from advocacy.pipeline.models import AskType
from advocacy.signals.models import ADVOCACY_ACTIVITY_KINDS, Signal

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
KINDS = (
    "nps", "csat", "health_score", "activity", "usage_milestone", "ticket_opened",
    "ticket_closed", "renewal", "expansion", "result_shared", "csm_nomination", "value_given",
    *ADVOCACY_ACTIVITY_KINDS,
)  # fmt: skip
# Contacts of accounts 1 and 2 whom every rule lets through, their signals left alone.
EAGER = (1, 9, 29, 37)
EAGER_FREE = {"nps", "csat", "activity"}
# Accounts 0 to 3 have neither expanded, renewed nor shared a result: not in expansion.
GROWTH = {"renewal", "expansion", "result_shared"}
ACCOUNT_LEVEL = {"health_score", "ticket_opened", "ticket_closed", "renewal", "expansion"}
STORED = (
    "account_id", "nps", "nps_at", "health", "open_tickets", "last_activity_at",
    "activities_12m", "stage", "rung",
)  # fmt: skip


def program(member: Any) -> list[Contact]:
    """Seven accounts of varied standing, 40 contacts spread over them (so that an account's
    contacts fall in different chunks), signals of every kind from three years ago to after
    NOW, some opted out or gone (before or after NOW), a few open asks holding tap caps."""
    rng = random.Random(20260601)
    day = lambda d: NOW - dt.timedelta(days=d, hours=rng.randrange(24))  # noqa: E731
    accounts = [
        Account.objects.create(
            name=f"Account {i}",
            domain=f"a{i}.example",
            customer_since=(NOW - dt.timedelta(days=rng.choice([30, 200, 400, 900]))).date(),
            owner=member if i % 3 else None,
            nda=i == 2,
            churn_risk=i == 4,
            sensitive_industry=i == 5,
            competitor_adjacent=i == 6,
        )
        for i in range(7)
    ]
    contacts = [
        Contact.objects.create(
            account=accounts[n % 7],
            email=f"c{n}@a{n % 7}.example",
            persona=rng.choice(["champion", "executive", "admin", "end_user"]),
            opted_out_at=day(rng.choice([-5, 10])) if n % 11 == 3 else None,
            left_company_at=day(rng.choice([-5, 10])) if n % 13 == 5 else None,
        )
        for n in range(40)
    ]
    signals = []
    for n in range(900):
        kind = rng.choice(KINDS)
        contact = rng.choice(contacts)
        n_contact = contacts.index(contact)
        if kind in GROWTH and n_contact % 7 < 4:
            continue
        if n_contact in EAGER and kind in EAGER_FREE | ACCOUNT_LEVEL:
            continue
        if n_contact % 7 in (1, 2) and kind in ACCOUNT_LEVEL:
            continue
        value = {
            "nps": rng.randrange(0, 11),
            "csat": rng.randrange(1, 6),
            "health_score": rng.randrange(30, 100),
            "value_given": 1,
        }.get(kind)
        signals.append(
            Signal(
                source="t",
                key=f"s{n}",
                kind=kind,
                account=contact.account,
                contact=None if kind in ACCOUNT_LEVEL else contact,
                occurred_at=day(rng.choice([-3, 0, 1, 5, 20, 60, 100, 200, 364, 366, 500, 1000])),
                value=value,
            )
        )
    Signal.objects.bulk_create(signals)
    for n in EAGER:
        make_eligible(contacts[n], at=NOW)
    review = AskType.objects.get(code="review")
    open_asks(
        [AskRequest(c.pk, review, f"m{c.pk}") for c in contacts[::5]],
        now=NOW - dt.timedelta(days=2),
        policy=replace(DEFAULT_POLICY, cap_days=dict.fromkeys(("low", "medium", "high"), 0)),
    )
    return contacts


def as_of(policy: Policy) -> dict[int, tuple[Any, ...]]:
    """Each contact's profile computed as of NOW, as plays and explanations compute it."""
    qs = with_profile(Contact.objects.all(), NOW, policy)
    rows = {r["pk"]: r for r in qs.values("pk", *STORED)}
    ready: dict[int, str] = dict.fromkeys(rows, "")
    for t in AskType.objects.filter(active=True).order_by("code"):
        verdicts = qs.annotate(v=verdict(t, policy, NOW)).values_list("pk", "v")
        for pk, v in verdicts:
            if v == OK:
                ready[pk] += f"{t.code},"
    return {pk: (*(r[c] for c in STORED), ready[pk]) for pk, r in rows.items()}


def stored() -> dict[int, tuple[Any, ...]]:
    rows = ContactProfile.objects.values("contact_id", *STORED, "ready", "as_of")
    assert {r["as_of"] for r in rows} == {NOW}
    return {r["contact_id"]: (*(r[c] for c in STORED), r["ready"]) for r in rows}


@pytest.mark.parametrize(
    "policy",
    [DEFAULT_POLICY, replace(DEFAULT_POLICY, give_before_ask=True)],
    ids=["default", "give"],
)
def test_the_refresh_writes_the_profiles_as_of_its_moment(member: Any, policy: Policy) -> None:
    load_playbook(now=NOW)
    contacts = program(member)
    expected = as_of(policy)
    assert refresh_profiles(now=NOW, policy=policy, chunk=6) == 40
    assert stored() == expected
    # The data vary where it matters: several stages and rungs, some ready.
    assert len({row[7] for row in expected.values()}) >= 3
    assert len({row[8] for row in expected.values()}) >= 3
    assert 0 < sum(1 for row in expected.values() if row[9]) < 40
    assert len({row[4] for row in expected.values()}) >= 2  # open tickets
    # A refresh of a few of them later rewrites those and leaves the others as they were.
    later = NOW + dt.timedelta(days=30)
    some = [c.pk for c in contacts[::7]]
    assert refresh_profiles(now=later, contact_ids=some, policy=policy, chunk=2) == len(some)
    moved = dict(ContactProfile.objects.values_list("contact_id", "as_of"))
    assert {pk for pk, at in moved.items() if at == later} == set(some)
