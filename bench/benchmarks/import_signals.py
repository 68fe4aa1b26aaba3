"""import_signals: the CSV import pipeline against a bare csv.reader + executemany insert.

Both read the same generated signals.csv (its contacts and accounts already in the database,
written by the demo generator, not timed) and write the same rows into the same signals table,
emptied between the two runs. The import runs first, so any warm-up advantage goes to the
baseline. The bare insert does the least work that still stores the same rows: it resolves
email or domain with one dictionary built by one query, parses the time and value, keeps the
raw row as payload, and inserts 5,000 rows per executemany, committing every 500,000 rows (on
SQLite, small commits rewrite the randomly-hit index pages into the WAL again and again, which
would make a weak baseline).
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from advocacy.demo.csv_export import write_csv
from advocacy.demo.generator import DemoProgram, DemoSize
from advocacy.demo.services import load_program
from advocacy.signals.imports import run_import
from advocacy.signals.models import ImportStatus, Signal
from bench.harness import Context, Figure, benchmark, peak_rss_mib, rate_figure

NAME = "import_signals"
GOAL = 1 / 3  # the import keeps at least a third of the bare insert's rate
BATCH = 5000  # rows per executemany
BATCHES_PER_COMMIT = 100  # 500k rows per transaction: few commits, as a bulk load should
SIZES = {  # accounts, contacts, signals
    "tiny": (10, 60, 500),
    "small": (500, 5_000, 50_000),
    "full": (5_000, 50_000, 1_000_000),
}
COLUMNS = (
    "source", "key", "kind", "account_id", "contact_id", "occurred_at", "value", "text",
    "payload", "received_at",
)  # fmt: skip


@benchmark(NAME, "CSV import of generated signals vs a bare csv.reader + executemany insert")
def import_signals(ctx: Context) -> Iterable[Figure]:
    accounts, contacts, signals = SIZES[ctx.scale]
    now = datetime.now(UTC).replace(microsecond=0)
    program = DemoProgram(DemoSize(accounts, contacts, signals, seed=7), now=now)
    ctx.log(f"generating {accounts:,} accounts and {contacts:,} contacts into the database")
    load_program(program, now=now, with_signals=False)
    ctx.log(f"writing {signals:,} signals to CSV")
    path = ctx.workdir / "signals.csv"
    write_csv(program, ctx.workdir, parts=("signals",))
    rss_before = peak_rss_mib()

    ctx.log("timing the import pipeline (run_import)")
    started = time.perf_counter()
    run = run_import("signals", path, preset="advocacy", actor=None, now=now)
    import_seconds = time.perf_counter() - started
    stored = Signal.objects.count()
    if run.status != ImportStatus.COMMITTED or run.created != signals or stored != signals:
        raise RuntimeError(
            f"the import did not store every row: status {run.status}, created {run.created}, "
            f"rejected {run.rejected}, in the table {stored}, expected {signals}"
        )
    rss_after = peak_rss_mib()
    empty_signals()

    ctx.log("timing the bare insert (csv.reader + executemany)")
    started = time.perf_counter()
    bare_rows = bare_insert(path, now)
    bare_seconds = time.perf_counter() - started
    if bare_rows != signals or Signal.objects.count() != signals:
        raise RuntimeError(f"the bare insert stored {bare_rows} rows, expected {signals}")
    ctx.log(f"import {import_seconds:.1f} s, bare {bare_seconds:.1f} s")

    yield rate_figure(NAME, "rows_per_second", signals, import_seconds, bare_seconds, GOAL)
    yield Figure(
        bench=NAME,
        figure="peak_rss",
        value=rss_after,
        unit="MiB",
        baseline=rss_before,
        ratio=round(rss_after / rss_before, 3) if rss_before else None,
        goal="value < 1024 (bounded memory)",
        met=rss_after < 1024,
        extra={"baseline_is": "peak before the import (generation and setup)"},
    )


def empty_signals() -> None:
    table = connection.ops.quote_name(Signal._meta.db_table)
    # TRUNCATE is the clean way on PostgreSQL, but not inside an enclosing transaction that
    # has deferred foreign-key checks pending (as in the smoke test).
    truncate = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if truncate:
            cursor.execute(f"TRUNCATE {table} CASCADE")
        else:
            cursor.execute(f"DELETE FROM {table}")


def bare_insert(path: Path, now: datetime) -> int:
    """Insert the file's rows with nothing but csv.reader and the driver's executemany."""
    sqlite = connection.vendor == "sqlite"
    connection.ensure_connection()
    raw = connection.connection
    cursor = raw.cursor()
    cursor.execute("SELECT email, id, account_id FROM customers_contact")
    contacts = {email: (cid, aid) for email, cid, aid in cursor.fetchall()}
    cursor.execute("SELECT domain, id FROM customers_account WHERE domain IS NOT NULL")
    accounts = dict(cursor.fetchall())
    marks = ", ".join(["?" if sqlite else "%s"] * len(COLUMNS))
    table = connection.ops.quote_name(Signal._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({marks})"
    received: Any = str(now.replace(tzinfo=None)) if sqlite else now
    written = 0
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        batches = _batches(_rows(reader, header, contacts, accounts, received, sqlite))
        done = False
        while not done:
            with transaction.atomic():
                for _ in range(BATCHES_PER_COMMIT):
                    batch = next(batches, None)
                    if batch is None:
                        done = True
                        break
                    cursor.executemany(sql, batch)
                    written += len(batch)
    cursor.close()
    return written


def _rows(
    reader: Iterator[list[str]],
    header: list[str],
    contacts: dict[str, tuple[int, int]],
    accounts: dict[str, int],
    received: Any,
    sqlite: bool,
) -> Iterator[tuple[Any, ...]]:
    at = {name: index for index, name in enumerate(header)}
    source, key, kind, occurred, email, domain, value, text = (
        at[name]
        for name in (
            "source",
            "key",
            "kind",
            "occurred_at",
            "email",
            "account_domain",
            "value",
            "text",
        )
    )
    dumps = json.dumps
    for row in reader:
        if row[email]:
            contact_id, account_id = contacts[row[email]]
        else:
            contact_id, account_id = None, accounts[row[domain]]
        moment = datetime.fromisoformat(row[occurred])
        when: Any = str(moment.astimezone(UTC).replace(tzinfo=None)) if sqlite else moment
        payload = dumps({h: cell for h, cell in zip(header, row, strict=False) if cell})
        number = float(row[value]) if row[value] else None
        yield (
            row[source], row[key], row[kind], account_id, contact_id, when, number, row[text],
            payload, received,
        )  # fmt: skip


def _batches(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
