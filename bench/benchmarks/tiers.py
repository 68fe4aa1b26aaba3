"""tiers: every contact's tier computed by the product, beside a hand-written SQL statement.

The program comes from the demo generator (accounts with their customer-since dates, contacts,
NPS answers and other signals; not timed); then each contact's activities are written set-based
(INSERT ... SELECT over the contacts, one statement per activity slot): about two in five
contacts completed activities this quarter (one to six, a speaker session among the most
active), a tenth completed two last quarter only. At full scale: 1M contacts.

Figure:

- `distribution`: how many contacts stand at each tier of the active policy as of now, through
  `advocacy.rewards.tiers.distribution` (what the Rewards page shows, one grouped query).
  Baseline: one hand-written SQL statement that joins the completed activities grouped per
  contact and ranks them with a CASE, doing the same work. Both must give the same counts.
  Goal: the ratio (product / hand-written) at most 3. Each is the median of three runs, after
  a warm-up.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection

from advocacy.customers.models import Contact
from advocacy.demo.generator import DemoProgram, DemoSize
from advocacy.demo.services import load_program
from advocacy.pipeline.models import Ask, AskEvent, AskStatus, AskType
from advocacy.rewards.policy import TierPolicy, active_policy
from advocacy.rewards.tiers import distribution, period_start
from bench.harness import Context, Figure, benchmark

NAME = "tiers"
SIZES = {  # accounts, contacts, signals
    "tiny": (20, 200, 2_000),
    "small": (2_000, 50_000, 200_000),
    "full": (100_000, 1_000_000, 2_000_000),
}
GOAL_RATIO = 3.0
RUNS = 3
# Activities completed this quarter by a contact, by its id modulo 10.
THIS_QUARTER = {4: 1, 5: 1, 6: 2, 7: 3, 8: 5, 9: 6}
LAST_QUARTER = {1: 2, 2: 2}


def _count_case(counts: dict[int, int]) -> str:
    whens = " ".join(f"WHEN {k} THEN {v}" for k, v in counts.items())
    return f"(CASE c.id %% 10 {whens} ELSE 0 END)"


def _select_list(
    model: Any, link: str, link_to: str, given: dict[str, Any]
) -> tuple[str, str, list[Any]]:
    """The columns of a row of `model` and the SELECT list that writes them: `link` (a foreign
    key) from the column expression `link_to`, the `given` fields as parameters, every other
    one NULL or its default."""
    columns: list[str] = []
    values: list[str] = []
    params: list[Any] = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(str(field.column))
        if field.name == link:
            values.append(link_to)
            continue
        if field.name in given:
            value = given[field.name]
        elif field.null:
            value = None
        else:
            value = field.get_default()
        values.append("%s")
        params.append(field.get_db_prep_save(value, connection))
    return ", ".join(columns), ", ".join(values), params


def _insert_asks(slot: int, where: str, ask_type_id: int, at: datetime) -> None:
    """One INSERT ... SELECT of a completed ask per contact matching `where`, then its event."""
    ask = {
        "ask_type": ask_type_id,
        "play": "bench",
        "moment": f"bench-{slot}",
        "status": AskStatus.COMPLETED,
        "opened_at": at,
        "updated_at": at,
    }
    event = {"to_status": AskStatus.COMPLETED, "at": at, "from_status": AskStatus.ACCEPTED}
    table = Ask._meta.db_table
    columns, values, params = _select_list(Ask, "contact", "c.id", ask)
    event_columns, event_values, event_params = _select_list(AskEvent, "ask", "a.id", event)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "
            f"SELECT {values} FROM {Contact._meta.db_table} c WHERE {where}",
            params,
        )
        cursor.execute(
            f"INSERT INTO {AskEvent._meta.db_table} ({event_columns}) "
            f"SELECT {event_values} FROM {table} a "
            "WHERE a.play = 'bench' AND a.moment = %s",
            [*event_params, f"bench-{slot}"],
        )


def prepare(ctx: Context, now: datetime) -> None:
    accounts, contacts, signals = SIZES[ctx.scale]
    ctx.log(f"generating {accounts:,} accounts, {contacts:,} contacts, {signals:,} signals")
    load_program(DemoProgram(DemoSize(accounts, contacts, signals, seed=17), now=now), now=now)
    start = period_start("quarter", now)
    assert start is not None
    review = AskType.objects.get(code="review").pk
    speaker = AskType.objects.get(code="speaker").pk
    ctx.log("writing the activities (INSERT ... SELECT, one statement per slot)")
    slot = 0
    for j in range(max(THIS_QUARTER.values())):
        kind = speaker if j == 4 else review
        at = start + (now - start) * (j + 1) / 8
        _insert_asks(slot, f"{_count_case(THIS_QUARTER)} > {j}", kind, at)
        slot += 1
    for j in range(max(LAST_QUARTER.values())):
        _insert_asks(
            slot, f"{_count_case(LAST_QUARTER)} > {j}", review, start - timedelta(days=10 + j)
        )
        slot += 1
    ctx.log(f"{AskEvent.objects.count():,} completed activities written")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def hand_written(policy: TierPolicy, as_of: datetime) -> tuple[str, list[Any]]:
    """The same tiers in one statement written by hand: activities and speaker sessions
    completed this period, grouped per contact, ranked by a CASE up the ladder."""
    start = period_start(policy.period, as_of)
    whens, ladder, typed = [], [], []
    for tier in policy.tiers:
        for key, value in tier.requires.items():
            if key == "activities":
                ladder.append(f"COALESCE(x.n, 0) >= {int(value)}")
            elif key == "ask_types":
                codes = ", ".join(f"'{code}'" for code in value)
                typed.append(
                    f", SUM(CASE WHEN t.code IN ({codes}) THEN 1 ELSE 0 END) AS typed_{tier.level}"
                )
                ladder.append(f"COALESCE(x.typed_{tier.level}, 0) > 0")
            else:
                raise NotImplementedError(f"the hand-written SQL reads no {key!r}")
        whens.append(f"WHEN {' AND '.join(ladder)} THEN {tier.level}")
    sql = f"""
        SELECT tier, COUNT(*) FROM (
          SELECT CASE {" ".join(reversed(whens))} ELSE 0 END AS tier
          FROM {Contact._meta.db_table} c
          LEFT JOIN (
            SELECT a.contact_id, COUNT(*) AS n{"".join(typed)}
            FROM {AskEvent._meta.db_table} e
            JOIN {Ask._meta.db_table} a ON a.id = e.ask_id
            JOIN {AskType._meta.db_table} t ON t.id = a.ask_type_id
            WHERE e.to_status = %s AND e.at <= %s AND e.at >= %s
            GROUP BY a.contact_id
          ) x ON x.contact_id = c.id
        ) ranked GROUP BY tier
    """
    return sql, [AskStatus.COMPLETED, as_of, start]


def run_hand_written(sql: str, params: list[Any]) -> dict[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(tier): int(n) for tier, n in cursor.fetchall()}


def timed(function: Any, *args: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


@benchmark(NAME, "every contact's tier vs a hand-written SQL statement (goal: ratio <= 3)")
def tiers_benchmark(ctx: Context) -> Iterable[Figure]:
    moment = ctx.workdir / "tiers_prepared_at"
    if ctx.reuse and moment.exists():
        now = datetime.fromisoformat(moment.read_text().strip())
        ctx.log(f"reusing the program prepared at {now.isoformat()}")
    else:
        now = datetime.now(UTC).replace(microsecond=0)
        prepare(ctx, now)
        moment.write_text(now.isoformat())
    policy = active_policy()
    sql, params = hand_written(policy, now)
    product = distribution(policy, now)  # warm-up
    expected = run_hand_written(sql, params)
    product = {k: v for k, v in product.items() if v}
    assert product == expected, (product, expected)
    products = [timed(distribution, policy, now)[0] for _ in range(RUNS)]
    baselines = [timed(run_hand_written, sql, params)[0] for _ in range(RUNS)]
    value, baseline = statistics.median(products), statistics.median(baselines)
    ratio = value / baseline if baseline else None
    ctx.log(f"distribution: {value:.3f} s, hand-written {baseline:.3f} s, counts {expected}")
    yield Figure(
        bench=NAME,
        figure="distribution",
        value=round(value, 3),
        unit="s",
        baseline=round(baseline, 3),
        ratio=None if ratio is None else round(ratio, 3),
        goal=f"ratio <= {GOAL_RATIO:g}",
        met=None if ratio is None else ratio <= GOAL_RATIO,
        extra={
            "contacts": Contact.objects.count(),
            "counts": {policy.name_of(level): n for level, n in sorted(expected.items())},
            "policy": policy.name,
            "runs": [round(s, 3) for s in products],
            "baselines": [round(s, 3) for s in baselines],
            "baseline_is": "one hand-written SQL statement computing the same tiers",
        },
    )
