from datetime import UTC, date, datetime, timedelta

import pytest

from advocacy.customers.models import Account, Contact
from advocacy.engine.conditions import compile_condition, explain
from advocacy.engine.profile import with_profile
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def signal(contact, kind, days_ago, value=None, account_level=False, key=None):
    return Signal.objects.create(
        source="test",
        key=key or f"{contact.pk}-{kind}-{days_ago}-{value}",
        kind=kind,
        account=contact.account,
        contact=None if account_level else contact,
        occurred_at=NOW - timedelta(days=days_ago),
        value=value,
    )


@pytest.fixture
def happy():
    account = Account.objects.create(
        name="Acme", domain="acme.example", customer_since=date(2024, 1, 1), region="na"
    )
    contact = Contact.objects.create(account=account, email="ada@acme.example", persona="admin")
    signal(contact, "nps", 400, 6)
    signal(contact, "nps", 10, 10)
    signal(contact, "nps", -5, 3)  # after `now`: must not count
    signal(contact, "health_score", 20, 85, account_level=True)
    signal(contact, "activity", 3)
    signal(contact, "ticket_opened", 60, account_level=True)
    signal(contact, "ticket_closed", 50, account_level=True)
    signal(contact, "ticket_opened", 5, account_level=True)
    return contact


def test_profile_reads_the_latest_values_as_of_now(happy):
    row = with_profile(Contact.objects.filter(pk=happy.pk), NOW).get()
    assert row.nps == 10
    assert row.health == 85
    assert row.open_tickets == 1
    assert row.last_activity_at == NOW - timedelta(days=3)
    assert row.stage == "mature"
    assert row.rung == "engaged"
    earlier = with_profile(Contact.objects.filter(pk=happy.pk), NOW - timedelta(days=100)).get()
    assert earlier.nps == 6
    assert earlier.open_tickets == 0


def test_one_compiled_condition_filters_and_explains(happy):
    cond = {
        "all": [
            {"field": "nps", "op": "gte", "value": 9},
            {"field": "open_tickets", "op": "eq", "value": 0},
            {"field": "region", "op": "in", "value": ["na", "emea"]},
        ]
    }
    qs = with_profile(Contact.objects.all(), NOW)
    assert list(qs.filter(compile_condition(cond, NOW)).values_list("pk", flat=True)) == []
    checks = explain(cond, qs.filter(pk=happy.pk), NOW)
    assert [(c.passed, c.found) for c in checks] == [(True, 10.0), (False, 1), (True, "na")]
    assert checks[1].description == "open support tickets = 0"


def test_activities_count_every_kind_in_the_last_year(happy):
    for n, kind in enumerate(["review_published", "reference_completed", "referral_status"]):
        signal(happy, kind, 30 + n)
    signal(happy, "review_published", 400)  # more than a year ago
    row = with_profile(Contact.objects.filter(pk=happy.pk), NOW).get()
    assert row.activities_12m == 3
    assert row.rung == "champion"
