"""A contact's timeline and an account's own signals are searched by the account's index.

`contact_id IS NULL` alone lets SQLite take the contact index for the account-level signals,
and that walks every account-level signal of every account: seconds on a big program. The
plans are read with EXPLAIN QUERY PLAN, after ANALYZE, as a real program has statistics.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from advocacy.customers.models import Account, Contact
from advocacy.signals.models import Signal, SignalKind

NOW = datetime(2026, 11, 2, tzinfo=UTC)


@pytest.fixture
def program(sqlite_only: None) -> Contact:
    accounts = Account.objects.bulk_create(Account(name=f"A{i}") for i in range(40))
    contacts = Contact.objects.bulk_create(
        Contact(email=f"p{i}@a{i % 40}.example", account=accounts[i % 40]) for i in range(200)
    )
    signals = [
        Signal(
            source="t",
            key=f"acct-{i}",
            kind=SignalKind.HEALTH_SCORE,
            account=accounts[i % 40],
            occurred_at=NOW - timedelta(hours=i),
            value=50,
        )
        for i in range(4000)
    ] + [
        Signal(
            source="t",
            key=f"nps-{i}",
            kind=SignalKind.NPS,
            account=contacts[i % 200].account,
            contact=contacts[i % 200],
            occurred_at=NOW - timedelta(hours=i),
            value=9,
        )
        for i in range(2000)
    ]
    Signal.objects.bulk_create(signals)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return contacts[7]


def plan(queryset: object) -> list[str]:
    sql, params = queryset.query.sql_with_params()  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[3] for row in cursor.fetchall()]


def test_the_timeline_takes_the_account_index_for_account_signals(program: Contact) -> None:
    steps = plan(Signal.objects.for_contact(program).timeline()[:25])
    searches = [step for step in steps if step.startswith("SEARCH")]
    assert searches == [
        "SEARCH signals_signal USING INDEX signal_contact_kind_at (contact_id=?)",
        "SEARCH signals_signal USING INDEX signal_account_kind_at (account_id=?)",
    ]


def test_the_account_page_takes_the_account_index(program: Contact) -> None:
    steps = plan(Signal.objects.account_level(program.account_id).timeline()[:10])
    assert [s for s in steps if s.startswith(("SEARCH", "SCAN"))] == [
        "SEARCH signals_signal USING INDEX signal_account_kind_at (account_id=?)"
    ]


def test_the_timeline_holds_the_contacts_and_the_accounts_signals(program: Contact) -> None:
    mine = set(Signal.objects.filter(contact=program).values_list("pk", flat=True))
    account = set(
        Signal.objects.filter(account=program.account, contact=None).values_list("pk", flat=True)
    )
    assert set(Signal.objects.for_contact(program).values_list("pk", flat=True)) == mine | account
    assert set(Signal.objects.account_level(program.account_id).values_list("pk", flat=True)) == (
        account
    )
