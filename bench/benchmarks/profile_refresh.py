"""profile_refresh: every contact's stored profile, beside a refresh written by hand in SQL.

The data come from the demo generator (not timed), as for `evaluate_plays`: at small scale 2k
accounts, 20k contacts and 200k signals; the default playbook is run once first, so that open
asks and tap claims shape the `ready` column. Figure:

- `profile_refresh`: `refresh_profiles` over every contact (the job behind "Compute profiles",
  `POST /api/advocates/refresh` and `advocacy advocates refresh`), beside the baseline: per
  chunk of the same size, one transaction of three hand-written statements: the chunk's
  account-level lookups into a scratch table, each contact's lookups into another (so that no
  lookup is evaluated twice), then one `INSERT ... SELECT ... ON CONFLICT` of every profile
  with its stage, rung and ready ask types (the same rules and caps, in the same
  order, as `evaluate_plays`' baseline). Both must store the same profiles, or the run fails.
  Median of three rounds, taking turns. Goal: within 3x.

While each side runs, a second connection writes one row every 20 ms, each write its own
transaction, and the longest of those writes is reported (`longest_write_wait_s`, and
`baseline_longest_write_wait_s`): the refresh must never block another writer for more than a
second.
"""

from __future__ import annotations

import contextlib
import statistics
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction

from advocacy.customers.models import Contact
from advocacy.demo.generator import DemoProgram, DemoSize
from advocacy.demo.services import load_program
from advocacy.engine.evaluation import run_plays
from advocacy.engine.models import ContactProfile, ProfileRow
from advocacy.engine.plays import load_playbook
from advocacy.engine.policy import DEFAULT_POLICY, Policy
from advocacy.engine.state import CHUNK, COLUMNS, refresh_profiles
from advocacy.pipeline.models import AskType
from advocacy.signals.models import ADVOCACY_ACTIVITY_KINDS
from bench.benchmarks.evaluate_plays import SIZES, analyze, stage_and_rung_sql, verdict_sql
from bench.harness import Context, Figure, benchmark

NAME = "profile_refresh"
ROUNDS = 3

LATEST = (
    "(SELECT MAX(s.occurred_at) FROM signals_signal s WHERE s.{who} = {ref} "
    "AND s.kind {kind} AND s.occurred_at <= %(now)s)"
)
VALUE_OF_LATEST = (
    "(SELECT s.value FROM signals_signal s WHERE s.{who} = {ref} AND s.kind = '{kind}' "
    "AND s.occurred_at <= %(now)s ORDER BY s.occurred_at DESC, s.id DESC LIMIT 1)"
)
COUNT = (
    "(SELECT COUNT(*) FROM signals_signal s WHERE s.{who} = {ref} AND s.kind {kind} "
    "AND s.occurred_at <= %(now)s{extra})"
)
ACTIVITIES = "IN (" + ", ".join(f"'{k}'" for k in ADVOCACY_ACTIVITY_KINDS) + ")"

# Once per account of the chunk.
ACCOUNT_SQL = {
    "health": VALUE_OF_LATEST.format(who="account_id", ref="a.id", kind="health_score"),
    "last_milestone_at": LATEST.format(who="account_id", ref="a.id", kind="= 'usage_milestone'"),
    "open_tickets": (
        COUNT.format(who="account_id", ref="a.id", kind="= 'ticket_opened'", extra="")
        + " - "
        + COUNT.format(who="account_id", ref="a.id", kind="= 'ticket_closed'", extra="")
    ),
    "last_ticket_at": LATEST.format(who="account_id", ref="a.id", kind="= 'ticket_opened'"),
    "last_renewal_at": LATEST.format(who="account_id", ref="a.id", kind="= 'renewal'"),
    "last_expansion_at": LATEST.format(who="account_id", ref="a.id", kind="= 'expansion'"),
    "last_result_at": LATEST.format(who="account_id", ref="a.id", kind="= 'result_shared'"),
}
# Once per contact, beside its account's row `b` and the account itself `a`.
CONTACT_SQL = {
    "nps": VALUE_OF_LATEST.format(who="contact_id", ref="c.id", kind="nps"),
    "nps_at": LATEST.format(who="contact_id", ref="c.id", kind="= 'nps'"),
    "csat": VALUE_OF_LATEST.format(who="contact_id", ref="c.id", kind="csat"),
    "last_activity_at": LATEST.format(
        who="contact_id", ref="c.id", kind="IN ('activity', 'usage_milestone')"
    ),
    "last_nomination_at": LATEST.format(who="contact_id", ref="c.id", kind="= 'csm_nomination'"),
    "activities_12m": COUNT.format(
        who="contact_id", ref="c.id", kind=ACTIVITIES, extra=" AND s.occurred_at >= %(year_ago)s"
    ),
    **{name: f"b.{name}" for name in ACCOUNT_SQL},
    "customer_since": "a.customer_since",
    "persona": "c.persona",
    "industry": "a.industry",
    "region": "a.region",
    "size_band": "a.size_band",
    "employees": "a.employees",
    "arr": "a.arr",
    "nda": "a.nda",
    "sensitive_industry": "a.sensitive_industry",
    "competitor_adjacent": "a.competitor_adjacent",
    "churn_risk": "a.churn_risk",
    "has_csm": "(a.owner_id IS NOT NULL)",
    "opted_out": "(c.opted_out_at IS NOT NULL AND c.opted_out_at <= %(now)s)",
    "left_company": "(c.left_company_at IS NOT NULL AND c.left_company_at <= %(now)s)",
}


def baseline_statements(now: datetime, policy: Policy) -> tuple[str, str, str, dict[str, Any]]:
    """The three statements of a chunk (between %(lo)s and %(hi)s) and their parameters."""
    p = policy
    params: dict[str, Any] = {
        "now": now,
        "year_ago": now - timedelta(days=365),
        "mature_since": (now - timedelta(days=p.mature_tenure_days)).date(),
        "activation_since": (now - timedelta(days=p.activation_days)).date(),
        "expansion_since": now - timedelta(days=p.expansion_window_days),
        "active_since": now - timedelta(days=p.active_within_days),
        "fresh_since": now - timedelta(days=p.nps_fresh_days),
    }
    accounts = (
        "INSERT INTO bench_account_row (id, "
        + ", ".join(ACCOUNT_SQL)
        + ") SELECT a.id, "
        + ", ".join(ACCOUNT_SQL.values())
        + " FROM customers_account a WHERE a.id IN (SELECT c.account_id FROM customers_contact c "
        "WHERE c.id >= %(lo)s AND c.id < %(hi)s)"
    )
    types = list(AskType.objects.filter(active=True).order_by("code"))
    ready = (
        " || ".join(
            f"CASE WHEN {verdict_sql(t, p, params, now)} = 'ok' THEN '{t.code},' ELSE '' END"
            for t in types
        )
        or "''"
    )
    rows = (
        f"INSERT INTO bench_row (contact_id, account_id, {', '.join(CONTACT_SQL)}) "
        f"SELECT c.id, c.account_id, {', '.join(CONTACT_SQL.values())} FROM customers_contact c "
        "JOIN customers_account a ON a.id = c.account_id "
        "JOIN bench_account_row b ON b.id = c.account_id "
        "WHERE c.id >= %(lo)s AND c.id < %(hi)s"
    )
    derived = ", ".join(f"{sql} AS {name}" for name, sql in stage_and_rung_sql(p).items())
    stored = ", ".join(COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS)
    profiles = (
        f"INSERT INTO bench_profile (contact_id, {stored}) "
        "SELECT q.contact_id, q.account_id, q.nps, q.nps_at, q.health, q.open_tickets, "
        f"q.last_activity_at, q.activities_12m, q.stage, q.rung, {ready}, %(now)s FROM ("
        f"SELECT p.*, {derived} FROM bench_row p) q "
        f"WHERE true ON CONFLICT (contact_id) DO UPDATE SET {updates}"
    )
    if connection.vendor == "sqlite":
        accounts, rows, profiles = (
            sql.replace("TRUE", "1").replace("FALSE", "0") for sql in (accounts, rows, profiles)
        )
        params = {
            k: connection.ops.adapt_datetimefield_value(v) if isinstance(v, datetime) else v
            for k, v in params.items()
        }
    return accounts, rows, profiles, params


def create_baseline_tables() -> None:
    """A table like ContactProfile for the baseline to write, and its scratch tables."""
    stored = ContactProfile._meta
    columns = [("contact_id", stored.get_field("contact"))] + [
        (c, stored.get_field(c)) for c in COLUMNS
    ]
    defs = ", ".join(f"{c} {f.db_type(connection)}" for c, f in columns)
    account = ", ".join(
        f"{name} {ProfileRow._meta.get_field(name).db_type(connection)}" for name in ACCOUNT_SQL
    )
    row = ", ".join(f"{f.column} {f.db_type(connection)}" for f in ProfileRow._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_profile")
        cursor.execute(f"CREATE TABLE bench_profile ({defs}, PRIMARY KEY (contact_id))")
        cursor.execute("DROP TABLE IF EXISTS bench_account_row")
        cursor.execute(f"CREATE TABLE bench_account_row (id bigint PRIMARY KEY, {account})")
        cursor.execute("DROP TABLE IF EXISTS bench_row")
        cursor.execute(f"CREATE TABLE bench_row ({row}, PRIMARY KEY (contact_id))")


def baseline_refresh(now: datetime, policy: Policy, chunk: int) -> int:
    accounts, rows, profiles, params = baseline_statements(now, policy)
    top = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    total = 0
    with connection.cursor() as cursor:
        for lo in range(0, top + 1, chunk):
            with transaction.atomic():
                bounds = {**params, "lo": lo, "hi": lo + chunk}
                cursor.execute("DELETE FROM bench_account_row")
                cursor.execute(accounts, bounds)
                cursor.execute("DELETE FROM bench_row")
                cursor.execute(rows, bounds)
                cursor.execute(profiles, bounds)
                total += max(cursor.rowcount, 0)
    return total


class WriterProbe:
    """A second connection writing one row every 20 ms; the longest write it waited for."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            with connection.cursor() as cursor:
                while not self._stop.is_set():
                    started = time.perf_counter()
                    with transaction.atomic():
                        cursor.execute("UPDATE bench_writer SET n = n + 1 WHERE id = 1")
                    self.longest = max(self.longest, time.perf_counter() - started)
                    self._stop.wait(0.02)
        finally:
            connection.close()

    def __enter__(self) -> WriterProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed(run: Callable[[], int], probe: bool) -> tuple[float, int, float]:
    """Seconds, rows, and the longest wait of a concurrent writer meanwhile (0 unprobed)."""
    with WriterProbe() if probe else contextlib.nullcontext() as writer:
        started = time.perf_counter()
        rows = run()
        seconds = time.perf_counter() - started
    return seconds, rows, writer.longest if writer is not None else 0.0


def stored(table: str) -> list[tuple[Any, ...]]:
    names = ", ".join(("contact_id", *(c for c in COLUMNS if c != "as_of")))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {names} FROM {table} ORDER BY contact_id")
        return [tuple(row) for row in cursor.fetchall()]


@benchmark(NAME, "every contact's stored profile vs a hand-written SQL refresh (goal: <= 3x)")
def profile_refresh(ctx: Context) -> Iterable[Figure]:
    accounts, contacts, signals = SIZES[ctx.scale]
    now = datetime.now(UTC).replace(microsecond=0)
    ctx.log(f"generating {accounts:,} accounts, {contacts:,} contacts, {signals:,} signals")
    load_program(DemoProgram(DemoSize(accounts, contacts, signals, seed=11), now=now), now=now)
    load_playbook(now=now)
    policy = DEFAULT_POLICY
    ctx.log("running the playbook once (asks and tap claims the ready column reads)")
    run_plays(now=now, policy=policy)
    create_baseline_tables()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_writer (id integer PRIMARY KEY, n integer)")
        cursor.execute("INSERT INTO bench_writer VALUES (1, 0)")
    analyze()

    chunk = CHUNK
    # The smoke test's tiny run is inside the test's transaction: no second connection there.
    probe = ctx.scale != "tiny"
    product: list[tuple[float, int, float]] = []
    baseline: list[tuple[float, int, float]] = []
    for round_ in range(ROUNDS):
        ctx.log(f"round {round_ + 1}: the refresh, then the hand-written SQL")
        product.append(timed(lambda: refresh_profiles(now=now, policy=policy, chunk=chunk), probe))
        baseline.append(timed(lambda: baseline_refresh(now, policy, chunk), probe))
        ctx.log(f"  {product[-1][0]:.2f} s against {baseline[-1][0]:.2f} s")
    ours, theirs = stored("engine_contactprofile"), stored("bench_profile")
    if ours != theirs:
        differ = [a for a, b in zip(ours, theirs, strict=False) if a != b][:3]
        raise AssertionError(
            f"the refresh and the baseline disagree ({len(ours)} vs {len(theirs)} rows): {differ}"
        )
    seconds = statistics.median(s for s, _, _ in product)
    baseline_seconds = statistics.median(s for s, _, _ in baseline)
    ratio = seconds / baseline_seconds if baseline_seconds else None
    longest = max(w for _, _, w in product)
    yield Figure(
        bench=NAME,
        figure="profile_refresh",
        value=round(seconds, 3),
        unit="s",
        baseline=round(baseline_seconds, 3),
        ratio=None if ratio is None else round(ratio, 3),
        goal="ratio <= 3 and no writer waits 1 s",
        met=None if ratio is None else ratio <= 3 and longest < 1.0,
        extra={
            "contacts": len(ours),
            "chunk": chunk,
            "ms_per_contact": round(1000 * seconds / max(len(ours), 1), 4),
            "longest_write_wait_s": round(longest, 3),
            "baseline_longest_write_wait_s": round(max(w for _, _, w in baseline), 3),
            "rounds": [round(s, 3) for s, _, _ in product],
            "baseline_rounds": [round(s, 3) for s, _, _ in baseline],
        },
    )
