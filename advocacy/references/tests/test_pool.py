"""The pool of reference-ready advocates: written set-based, kept in step by the periodic job."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from advocacy.core.scheduler import REGISTRY
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.references.models import PoolState, ReferenceAdvocate
from advocacy.references.pool import refresh_changed, refresh_pool
from advocacy.references.tests.world import NOW, advocate, signal

pytestmark = pytest.mark.django_db


def test_rows_carry_segment_flags_and_caps() -> None:
    advocate("ann@a.example", industry="SaaS", products=("Core Platform", "Billing"))
    advocate("low@l.example", nps=7)  # prerequisites fail: not in the pool
    churn = advocate("churn@c.example", churn_risk=True)
    quiet = advocate("quiet@q.example")
    signal(quiet.account, "ticket_opened", None, at=NOW - dt.timedelta(days=2))
    signal(quiet.account, "ticket_closed", None, at=NOW - dt.timedelta(days=1))

    assert refresh_pool(now=NOW, policy=DEFAULT_POLICY) == 3

    rows = {r.contact.email: r for r in ReferenceAdvocate.objects.select_related("contact")}
    assert sorted(rows) == ["ann@a.example", "churn@c.example", "quiet@q.example"]
    ann = rows["ann@a.example"]
    assert (ann.industry, ann.region, ann.size_band, ann.products, ann.ready) == (
        "saas", "emea", "enterprise", ["Core Platform", "Billing"], True
    )  # fmt: skip
    assert (ann.quiet_until, ann.next_allowed_at, ann.standing, ann.refreshed_at) == (
        None, None, 3, NOW
    )  # fmt: skip
    assert rows["churn@c.example"].ready is False
    assert rows["quiet@q.example"].ready is True
    assert rows["quiet@q.example"].quiet_until == NOW - dt.timedelta(days=2) + dt.timedelta(days=14)
    # A contact whose prerequisites stop holding leaves the pool at its next refresh.
    signal(churn.account, "nps", 5, contact=churn, at=NOW)
    assert refresh_pool(now=NOW, contact_ids=[churn.pk], policy=DEFAULT_POLICY) == 0
    assert ReferenceAdvocate.objects.filter(contact=churn).exists() is False


def test_the_periodic_job_refreshes_changed_contacts_then_everyone_daily(
    django_assert_max_num_queries: Any,
) -> None:
    assert "refresh-reference-pool" in REGISTRY
    ann = advocate("ann@a.example")
    first = refresh_changed(now=NOW, policy=DEFAULT_POLICY)
    assert (first["full"], first["rows"]) == (True, 1)
    bob = advocate("bob@b.example")  # new signals since the watermark
    later = NOW + dt.timedelta(minutes=15)
    second = refresh_changed(now=later, policy=DEFAULT_POLICY)
    assert (second["full"], second["rows"]) == (False, 1)
    assert ReferenceAdvocate.objects.get(contact=bob).refreshed_at == later
    assert ReferenceAdvocate.objects.get(contact=ann).refreshed_at == NOW
    state = PoolState.objects.get()
    assert state.watermark == second["watermark"]
    with django_assert_max_num_queries(12):
        third = refresh_changed(now=later + dt.timedelta(days=1), policy=DEFAULT_POLICY)
    assert (third["full"], third["rows"]) == (True, 2)
