"""Recording signals: append-only, once per (source, key), unknown people rejected."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from advocacy.customers.records import AccountRecord, AccountRef, ContactRecord, RecordError
from advocacy.customers.records import UpsertResult as Result
from advocacy.customers.services import upsert_accounts, upsert_contacts
from advocacy.signals.models import Signal
from advocacy.signals.records import SignalRecord
from advocacy.signals.services import record_signals

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
AT = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def jane() -> None:
    upsert_accounts(
        [AccountRecord(name="Acme", domain="acme.com", external_ids=(("hubspot", "1"),))],
        actor=None,
        now=NOW,
    )
    upsert_contacts(
        [
            ContactRecord(
                email="jane@acme.com",
                account_ref=AccountRef(domain="acme.com"),
                external_ids=(("delighted", "p-7"),),
            )
        ],
        actor=None,
        now=NOW,
    )


def nps(key: str = "r1", **extra: object) -> SignalRecord:
    fields: dict = {
        "source": "delighted",
        "key": key,
        "kind": "nps",
        "occurred_at": AT,
        "contact_email": "jane@acme.com",
        "value": 10.0,
        "text": "Love it",
        "payload": {"id": key, "score": 10},
    }
    fields.update(extra)
    return SignalRecord(**fields)


def test_signals_are_stored_once(jane):
    """GIVEN a contact WHEN the same signals arrive twice THEN they are stored once."""
    records = [nps("r1"), nps("r2", value=7.0), nps("r1")]
    assert record_signals(records, actor=None, now=NOW) == Result(2, 0, 1)
    assert record_signals(records, actor=None, now=NOW) == Result(0, 0, 3)
    signal = Signal.objects.get(key="r1")
    assert (signal.contact.email, signal.account.domain, signal.value, signal.text) == (
        "jane@acme.com",
        "acme.com",
        10.0,
        "Love it",
    )
    assert (signal.occurred_at, signal.received_at, signal.payload) == (
        AT,
        NOW,
        {"id": "r1", "score": 10},
    )


def test_dry_run_counts_without_writing(jane):
    record_signals([nps("r1")], actor=None, now=NOW)
    result = record_signals([nps("r1"), nps("r2")], actor=None, now=NOW, dry_run=True)
    assert result == Result(1, 0, 1)
    assert Signal.objects.count() == 1


def test_contact_by_external_id_and_account_level_signal(jane):
    records = [
        nps("r1", contact_email=None, contact_external_id=("delighted", "p-7")),
        SignalRecord(
            source="gainsight",
            key="h1",
            kind="health_score",
            occurred_at=AT,
            account_ref=AccountRef(external_id=("hubspot", "1")),
            value=82,
        ),
    ]
    assert record_signals(records, actor=None, now=NOW) == Result(2, 0, 0)
    health = Signal.objects.get(kind="health_score")
    assert (health.contact, health.account.name) == (None, "Acme")


def test_bad_signals_are_rejected_with_reasons(jane):
    records = [
        nps("r1", contact_email="nobody@acme.com"),
        nps("r2", value=11.0),
        nps("r3", kind="smoke_signal"),
        nps("r4", contact_email=None, account_ref=AccountRef(domain="initech.com")),
        nps("r5"),
    ]
    result = record_signals(records, actor=None, now=NOW)
    assert result.created == 1
    assert [(e.index, e.field, e.message) for e in result.rejected] == [
        (0, "contact", "no contact with this email; import contacts first"),
        (1, "value", "nps value out of range"),
        (2, "kind", "unknown kind"),
        (3, "account", "no account matches this signal"),
    ]
    assert result.rejected[1] == RecordError(
        1, "value", "a number from 0 to 10", "11", "nps value out of range"
    )


def test_query_count_does_not_grow_with_records(jane, django_assert_max_num_queries):
    records = [nps(f"r{i}") for i in range(500)]
    with django_assert_max_num_queries(8):
        assert record_signals(records, actor=None, now=NOW) == Result(500, 0, 0)
