"""Write a generated program as CSV files in the importer's own ("advocacy") format.

accounts.csv, contacts.csv and signals.csv, UTF-8, comma-separated, one header row; the column
names are the importer's own preset ("advocacy", see docs/csv-import.md). Streamed row by row:
memory does not grow with size.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from advocacy.demo.generator import AccountSpec, ContactSpec, DemoProgram
from advocacy.demo.services import DEMO_SOURCE
from advocacy.demo.simulation import SignalRow, iter_signals

LIST_SEPARATOR = ";"
FLUSH_EVERY = 20_000

ACCOUNT_COLUMNS = (
    "name", "domain", "external_source", "external_id", "industry", "region", "size_band",
    "employees", "arr", "products", "use_cases", "competitors_replaced", "customer_since",
    "renewal_date", "nda", "sensitive_industry", "competitor_adjacent", "churn_risk",
)  # fmt: skip
CONTACT_COLUMNS = (
    "email", "account_domain", "first_name", "last_name", "title", "persona", "phone",
    "left_company_at", "opted_out_at",
)  # fmt: skip
SIGNAL_COLUMNS = (
    "source", "key", "kind", "occurred_at", "email", "account_domain", "value", "text",
)  # fmt: skip


def _when(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def account_row(a: AccountSpec) -> list[str]:
    return [
        a.name, a.domain, DEMO_SOURCE, f"acct-{a.index + 1}", a.industry, a.region,
        a.size_band, str(a.employees), str(a.arr), LIST_SEPARATOR.join(a.products),
        LIST_SEPARATOR.join(a.use_cases), LIST_SEPARATOR.join(a.competitors_replaced),
        a.customer_since.isoformat(), a.renewal_date.isoformat(), _flag(a.nda),
        _flag(a.sensitive_industry), _flag(a.competitor_adjacent), _flag(a.churn_risk),
    ]  # fmt: skip


def contact_row(c: ContactSpec, domain: str) -> list[str]:
    return [
        c.email, domain, c.first_name, c.last_name, c.title, c.persona, c.phone,
        _when(c.left_company_at), _when(c.opted_out_at),
    ]  # fmt: skip


def _number(value: float | None) -> str:
    """In digits, exactly, as the importer reads numbers: 9 (a whole number), 1234567.5."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def signal_row(s: SignalRow) -> list[str]:
    value = _number(s.value)
    email = "" if s.contact is None else s.contact.email
    # Contact-level signals name the contact only; account-level ones name the account. The
    # importer keeps each raw row as the signal's payload, so no payload column is written.
    domain = "" if s.contact is not None else s.account.domain
    return [DEMO_SOURCE, s.key, s.kind, _when(s.occurred_at), email, domain, value, s.text]


def write_csv(
    program: DemoProgram,
    directory: Path,
    *,
    progress: Callable[[str, int], None] | None = None,
    parts: tuple[str, ...] = ("accounts", "contacts", "signals"),
) -> dict[str, int]:
    """Write the chosen parts of the program into `directory`; return the rows per file."""
    directory.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda stage, n: None)
    counts: dict[str, int] = {}
    if "accounts" in parts:
        counts["accounts"] = _write(
            directory / "accounts.csv",
            ACCOUNT_COLUMNS,
            (account_row(a) for a in program.accounts),
            lambda n: report("accounts", n),
        )
    if "contacts" in parts:
        domains = [a.domain for a in program.accounts]
        counts["contacts"] = _write(
            directory / "contacts.csv",
            CONTACT_COLUMNS,
            (contact_row(c, domains[c.account]) for c in program.contacts()),
            lambda n: report("contacts", n),
        )
    if "signals" in parts:
        counts["signals"] = _write(
            directory / "signals.csv",
            SIGNAL_COLUMNS,
            (signal_row(s) for s in iter_signals(program)),
            lambda n: report("signals", n),
        )
    return counts


def _write(
    path: Path,
    header: tuple[str, ...],
    rows: Iterable[list[str]],
    report: Callable[[int], None],
) -> int:
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        pending = 0
        for row in rows:
            writer.writerow(row)
            pending += 1
            if pending == FLUSH_EVERY:
                written += pending
                report(pending)
                pending = 0
        written += pending
        if pending:
            report(pending)
    return written
