"""Recording signals: append-only, once per (source, key), unknown people rejected."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

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
        "value": 10,
        "text": "Love it",
        "payload": {"id": key, "score": 10},
    }
    fields.update(extra)
    return SignalRecord(**fields)


def test_signals_are_stored_once(jane):
    """GIVEN a contact WHEN the same signals arrive twice THEN they are stored once."""
    records = [nps("r1"), nps("r2", value=7), nps("r1")]
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
        nps("r2", value=11),
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
        1, "value", "a whole number from 0 to 10", "11", "nps value out of range"
    )


def test_query_count_does_not_grow_with_records(jane, django_assert_max_num_queries):
    records = [nps(f"r{i}") for i in range(500)]
    with django_assert_max_num_queries(8):
        assert record_signals(records, actor=None, now=NOW) == Result(500, 0, 0)


def test_values_are_held_to_their_kinds_scale(jane):
    """GIVEN NPS 9.5, 10.0 and true, CSAT 0 and 6, a health score of 100.5, an activity of
    10**13 WHEN recorded THEN each is refused naming what was expected and what was found."""
    records = [
        nps("n1", value=9.5),
        nps("n2", value=10.0),
        nps("n3", value=True),
        nps("n4", value=None),
        nps("n5", value="9"),
        nps("c1", kind="csat", value=0),
        nps("c2", kind="csat", value=6),
        nps("h1", kind="health_score", value=100.5),
        nps("a1", kind="activity", value=10**13),
        nps("a2", kind="activity", value=float("inf")),
        nps("a3", kind="activity", value=False),
        nps("ok1", value=0),
        nps("ok2", kind="csat", value=1),
        nps("ok3", kind="health_score", value=99.5),
        nps("ok4", kind="activity", value=None),
        nps("ok5", kind="activity", value=-2.5),
    ]
    result = record_signals(records, actor=None, now=NOW)
    whole_nps, whole_csat = "a whole number from 0 to 10", "a whole number from 1 to 5"
    any_number = "a number from -1,000,000,000,000 to 1,000,000,000,000, or none"
    assert result.created == 5
    assert list(result.rejected) == [
        RecordError(0, "value", whole_nps, "9.5", "nps is a whole number, not a fraction"),
        RecordError(
            1,
            "value",
            whole_nps,
            "10.0",
            "nps is a whole number: written without a decimal point or an exponent",
        ),
        RecordError(2, "value", whole_nps, "true", "a boolean is not a number"),
        RecordError(3, "value", whole_nps, "", "nps needs a value"),
        RecordError(4, "value", whole_nps, "'9'", "not a number"),
        RecordError(5, "value", whole_csat, "0", "csat value out of range"),
        RecordError(6, "value", whole_csat, "6", "csat value out of range"),
        RecordError(
            7, "value", "a number from 0 to 100", "100.5", "health_score value out of range"
        ),
        RecordError(8, "value", any_number, "10000000000000", "value out of range"),
        RecordError(9, "value", any_number, "inf", "not a finite number"),
        RecordError(10, "value", any_number, "false", "a boolean is not a number"),
    ]


def test_moments_are_bounded_by_the_floor_and_the_clock(jane, settings):
    """GIVEN signals from 1900, 1999, 9999 and six minutes after now WHEN recorded THEN each
    is refused; the floor's own moment and five minutes ahead are taken."""
    when = "a moment from 2000-01-01 to 5 minutes after now"
    old = "before 2000-01-01: older than any signal kept"
    ahead = "in the future (at most 5 minutes ahead of now)"
    moments = [
        datetime(1900, 1, 1, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(9999, 12, 31, tzinfo=UTC),
        NOW + timedelta(minutes=6),
        datetime(2000, 1, 1, tzinfo=UTC),
        NOW + timedelta(minutes=5),
    ]
    records = [nps(f"m{i}", occurred_at=at) for i, at in enumerate(moments)]
    result = record_signals(records, actor=None, now=NOW)
    assert result.created == 2
    assert list(result.rejected) == [
        RecordError(0, "occurred_at", when, "1900-01-01T00:00:00+00:00", old),
        RecordError(1, "occurred_at", when, "1999-12-31T23:59:59+00:00", old),
        RecordError(2, "occurred_at", when, "9999-12-31T00:00:00+00:00", ahead),
        RecordError(3, "occurred_at", when, "2026-03-01T12:06:00+00:00", ahead),
    ]
    settings.SIGNAL_EARLIEST = date(1900, 1, 1)
    assert record_signals(records[:1], actor=None, now=NOW).created == 1
