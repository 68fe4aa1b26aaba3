"""A referral_status row names its referral by `referral_id`, kept in the payload by that name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from advocacy.customers.models import Account, Contact
from advocacy.signals.imports import run_import
from advocacy.signals.models import Signal
from advocacy.signals.tests.files import write_csv

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def ada() -> Contact:
    acme = Account.objects.create(name="Acme", domain="acme.com")
    return Contact.objects.create(account=acme, email="ada@acme.com")


def test_our_referral_id_column_lands_in_the_payload(tmp_path, ada):
    path = write_csv(
        tmp_path / "referrals.csv",
        ["email", "kind", "occurred_at", "text", "referral_id"],
        [
            ["ada@acme.com", "referral_status", "2026-02-01", "submitted", "ref-1"],
            ["ada@acme.com", "referral_status", "2026-02-09", "meeting booked", "ref-1"],
            ["ada@acme.com", "referral_status", "2026-02-10", "submitted", ""],
        ],
    )
    run = run_import("signals", path, now=NOW)
    assert (run.status, run.created, run.rejected) == ("committed", 3, 0)
    assert run.mapping["columns"]["referral_id"] == "referral_id"
    payloads = Signal.objects.order_by("occurred_at").values_list("payload", flat=True)
    assert list(payloads) == [
        {"email": "ada@acme.com", "kind": "referral_status", "occurred_at": "2026-02-01",
         "text": "submitted", "referral_id": "ref-1"},
        {"email": "ada@acme.com", "kind": "referral_status", "occurred_at": "2026-02-09",
         "text": "meeting booked", "referral_id": "ref-1"},
        {"email": "ada@acme.com", "kind": "referral_status", "occurred_at": "2026-02-10",
         "text": "submitted"},
    ]  # fmt: skip


def test_a_mapped_column_is_kept_under_our_name(tmp_path, ada):
    path = write_csv(
        tmp_path / "crm.csv",
        ["email", "kind", "occurred_at", "Referral #"],
        [["ada@acme.com", "referral_status", "2026-02-01", "R-77"]],
    )
    mapping = {"columns": {"referral_id": "Referral #"}}
    run = run_import("signals", path, mapping=mapping, now=NOW)
    assert (run.status, run.created) == ("committed", 1)
    assert Signal.objects.get().payload == {
        "email": "ada@acme.com",
        "kind": "referral_status",
        "occurred_at": "2026-02-01",
        "Referral #": "R-77",
        "referral_id": "R-77",
    }


def test_rows_alike_but_for_their_referral_are_two_signals(tmp_path, ada):
    """Without a key column the key is derived from the row, the referral id with it."""
    rows = [
        ["ada@acme.com", "referral_status", "2026-02-01", "ref-1"],
        ["ada@acme.com", "referral_status", "2026-02-01", "ref-2"],
    ]
    path = write_csv(tmp_path / "r.csv", ["email", "kind", "occurred_at", "referral_id"], rows)
    run = run_import("signals", path, now=NOW)
    assert (run.created, run.unchanged) == (2, 0)
    assert sorted(s.payload["referral_id"] for s in Signal.objects.all()) == ["ref-1", "ref-2"]


def test_a_too_long_referral_id_is_a_row_error(tmp_path, ada):
    path = write_csv(
        tmp_path / "r.csv",
        ["email", "kind", "occurred_at", "referral_id"],
        [["ada@acme.com", "referral_status", "2026-02-01", "x" * 256]],
    )
    run = run_import("signals", path, now=NOW)
    assert (run.created, run.rejected) == (0, 1)
    error = run.row_errors.get()
    assert (error.line, error.column, error.expected, error.message) == (
        2,
        "referral_id",
        "a referral id (255 characters at most)",
        "too long: 256 characters",
    )
