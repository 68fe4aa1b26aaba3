"""Loading a program writes coherent rows through the fast path, and clearing removes them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db.models import F

from advocacy.customers.models import Account, AccountIdentity, Contact
from advocacy.demo.csv_export import signal_row, write_csv
from advocacy.demo.generator import DemoProgram, DemoSize
from advocacy.demo.services import clear_demo_data, has_demo_data, load_program
from advocacy.demo.simulation import SignalRow, iter_signals
from advocacy.people.models import User
from advocacy.signals.imports import run_import
from advocacy.signals.models import ImportStatus, Signal

NOW = datetime(2026, 6, 1, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def small_program(signals: int | None = 400) -> DemoProgram:
    return DemoProgram(DemoSize(accounts=6, contacts=40, signals=signals, seed=3), now=NOW)


def test_load_writes_every_row_with_the_generated_values() -> None:
    program = small_program()

    result = load_program(program, now=NOW)

    assert (result.accounts, result.contacts, result.signals) == (6, 40, 400)
    assert (Account.objects.count(), Contact.objects.count(), Signal.objects.count()) == (
        6,
        40,
        400,
    )
    spec = program.accounts[0]
    account = Account.objects.get(domain=spec.domain)
    assert account.name == spec.name
    assert account.arr == Decimal(spec.arr)
    assert account.products == list(spec.products)
    assert account.customer_since == spec.customer_since
    assert account.owner is not None and account.owner.role == "cs"
    first = next(iter_signals(program))
    signal = Signal.objects.get(source="demo", key="demo:1")
    assert (signal.kind, signal.occurred_at, signal.value) == (
        first.kind,
        first.occurred_at,
        first.value,
    )
    assert signal.account_id == account.pk
    assert signal.payload == first.payload


def test_contacts_and_signals_point_at_the_right_account() -> None:
    load_program(small_program(), now=NOW)

    contacts = Contact.objects.select_related("account")
    mismatched = [c.email for c in contacts if not c.email.endswith(f"@{c.account.domain}")]
    wrong_account = Signal.objects.filter(contact__isnull=False).exclude(
        account_id=F("contact__account_id")
    )

    assert mismatched == []
    assert wrong_account.count() == 0


def test_ids_continue_after_existing_rows_and_new_rows_get_fresh_ids() -> None:
    existing = Account.objects.create(name="Already here", domain="here.example.org")

    load_program(small_program(signals=10), now=NOW)
    created = Account.objects.create(name="Made later", domain="later.example.org")
    contact = Contact.objects.create(account=created, email="new@later.example.org")

    assert Account.objects.filter(pk__lte=existing.pk).count() == 1
    assert created.pk == Account.objects.order_by("-pk").values_list("pk", flat=True)[0]
    assert Account.objects.count() == 8
    assert contact.pk > 40


def test_clear_removes_demo_data_only() -> None:
    kept = Account.objects.create(name="Real customer", domain="real.example.org")
    load_program(small_program(), now=NOW)
    assert has_demo_data() is True

    clear_demo_data()

    assert has_demo_data() is False
    assert list(Account.objects.values_list("pk", flat=True)) == [kept.pk]
    assert (Contact.objects.count(), Signal.objects.count()) == (0, 0)
    assert AccountIdentity.objects.count() == 0
    assert User.objects.filter(username__startswith="csm.").count() == 8


def test_csv_export_imports_cleanly(tmp_path: Path) -> None:
    """GIVEN the demo written as CSV WHEN each file is imported THEN every row goes in."""
    program = small_program(signals=300)
    counts = write_csv(program, tmp_path)

    runs = [
        run_import(kind, tmp_path / f"{kind}.csv", actor=None, now=NOW)
        for kind in ("accounts", "contacts", "signals")
    ]

    assert counts == {"accounts": 6, "contacts": 40, "signals": 300}
    assert [(r.status, r.created, r.rejected) for r in runs] == [
        (ImportStatus.COMMITTED, 6, 0),
        (ImportStatus.COMMITTED, 40, 0),
        (ImportStatus.COMMITTED, 300, 0),
    ]
    assert Signal.objects.filter(source="demo").count() == 300
    spec = program.accounts[1]
    account = Account.objects.get(domain=spec.domain)
    assert (account.name, account.size_band, account.churn_risk) == (
        spec.name,
        spec.size_band,
        spec.churn_risk,
    )


def test_csv_export_writes_each_value_in_digits_exactly(tmp_path: Path) -> None:
    """GIVEN the demo written as CSV WHEN imported THEN every value comes back as generated."""
    program = small_program(signals=300)
    write_csv(program, tmp_path)
    for kind in ("accounts", "contacts", "signals"):
        run_import(kind, tmp_path / f"{kind}.csv", actor=None, now=NOW)
    generated = {s.key: s.value for s in iter_signals(program)}
    assert dict(Signal.objects.values_list("key", "value")) == generated


@pytest.mark.parametrize(
    ("value", "cell"),
    [(9.0, "9"), (1_234_567.0, "1234567"), (1_250_000.5, "1250000.5"), (0.00001, "0.00001")],
)
def test_a_signal_value_is_written_without_an_exponent(value: float, cell: str) -> None:
    """A renewal of 1,234,567 was written 1.23457e+06: an exponent, and digits lost."""
    account = SimpleNamespace(domain="acme.com")
    row = SignalRow("demo:1", "renewal", NOW, account, None, value, "", {})  # type: ignore[arg-type]
    assert signal_row(row)[6] == cell
