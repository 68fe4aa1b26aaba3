"""Advocate coverage (seed 001: advocates / eligible) over the policy's full eligibility."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from advocacy.customers.models import Account, Contact
from advocacy.engine.policy import DEFAULT_POLICY, Policy
from advocacy.metrics.catalogue import BY_CODE, compute, rows
from advocacy.metrics.periods import Segment, parse_period
from advocacy.metrics.queries import Evaluation
from advocacy.metrics.tests.world import NOW, World, profile

Q2 = parse_period("2026-Q2", now=NOW)
TENURE = (NOW - timedelta(days=90)).date()  # exactly the default tenure_days_min


def coverage(policy: Policy = DEFAULT_POLICY) -> tuple[Any, Any, Any]:
    ev = Evaluation(Q2, Segment(), now=NOW, policy=policy)
    got = compute(BY_CODE["advocate_coverage"], ev)
    return got.value, got.numerator, got.denominator


def advocate(
    *, owned: bool = True, since: Any = TENURE, nps: float = 9, health: float = 70, **columns: Any
) -> Contact:
    """A new advocate on an account of its own, at every threshold of the default policy."""
    n = Account.objects.count()
    owner = get_user_model().objects.get(username="world-csm") if owned else None
    account = Account.objects.create(name=f"Edge {n}", customer_since=since, owner=owner)
    contact = Contact.objects.create(account=account, email=f"edge{n}@edge.test")
    columns = {"nps_at": NOW - timedelta(days=180), "last_activity_at": NOW - timedelta(days=30),
               **columns}  # fmt: skip
    profile(contact, "advocate", nps, health, **columns)
    return contact


def test_the_world_eligible_ada_and_alice(world: World):
    # Alan's health is 60, Bob's NPS 5; Bea opted out. Ada is an advocate, Alice is not.
    assert coverage() == (50.0, 1, 2)
    ev = Evaluation(Q2, Segment(), now=NOW, policy=DEFAULT_POLICY)
    listed = rows(BY_CODE["advocate_coverage"], ev).order_by("email")
    assert list(listed.values_list("email", flat=True)) == ["ada@acme.test", "alice@acme.test"]


def test_a_contact_at_every_threshold_is_eligible(world: World):
    advocate()
    assert coverage() == (pytest.approx(200 / 3), 2, 3)


@pytest.mark.parametrize(
    "fails",
    [
        {"nps": 8},  # NPS below nps_min
        {"nps_at": NOW - timedelta(days=181)},  # NPS older than nps_fresh_days
        {"nps_at": None},  # when it was answered is unknown
        {"health": 69},  # health below health_min
        {"since": TENURE + timedelta(days=1)},  # a customer for 89 days
        {"since": None},  # tenure unknown
        {"last_activity_at": NOW - timedelta(days=31)},  # no use within active_within_days
        {"last_activity_at": None},  # never used
        {"owned": False},  # no CSM owns the account
    ],
    ids=lambda f: next(iter(f)) + ("=none" if None in f.values() else ""),
)
def test_failing_one_criterion_is_not_eligible(world: World, fails: dict[str, Any]):
    advocate(**fails)
    assert coverage() == (50.0, 1, 2)


def test_the_thresholds_come_from_the_policy(world: World):
    advocate(nps=8, health=65)
    lenient = Policy(nps_min=8, health_min=60, tenure_days_min=0)
    # Alan (9, 60) and the edge contact join: 3 advocates of 4 eligible (Ada, Alan, Alice, edge).
    assert coverage(lenient) == (75.0, 3, 4)
    strict = Policy(nps_fresh_days=29)  # only answers of the last 29 days
    assert coverage(strict) == (None, 0, 0)
