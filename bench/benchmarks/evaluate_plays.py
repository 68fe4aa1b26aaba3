"""evaluate_plays: the engine over a large program, beside hand-written SQL of the same rules.

The data come from the demo generator (not timed): at full scale 100k accounts, 1M contacts and
10M signals over two years. Figures:

- `full_evaluation`: `run_plays` over the default playbook (every play, every trigger in its
  window: candidates, profiles, the verdict of the rules, decisions, caps, asks), beside the
  baseline: for each play, one SQL statement written by hand (no ORM) that decides every
  candidate with the same rules in the same order and records the verdict
  (`INSERT ... SELECT CASE ...`). Goal: within 3x. The engine also claims caps, opens asks and
  writes their events.
- `seed_rule`: the same comparison for the seed's first rule alone (NPS 9-10 → review).
- `re_evaluation`: after 10k new signals (their ingest not timed), what the periodic job does
  (refresh the changed contacts' profiles, apply the guards, run the plays on the new signals),
  beside a full evaluation of the same data that does the same work (the guards, then every play
  over every trigger in its window, from an engine that has decided nothing). Goal: at most a
  fifth, aiming at a twentieth. (It replaced `incremental`, whose baseline was 99% a full
  profile refresh, which a full evaluation does not do.)
- `peak_rss`: the process's peak memory. Goal: under 1 GiB.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction

from advocacy.demo.generator import DemoProgram, DemoSize
from advocacy.demo.services import load_program
from advocacy.engine.caps import covering
from advocacy.engine.evaluation import play_options, run_plays
from advocacy.engine.guards import run_guards
from advocacy.engine.models import ContactProfile, Decision, Play, TapClaim
from advocacy.engine.plays import load_playbook
from advocacy.engine.policy import DEFAULT_POLICY, Policy
from advocacy.engine.rules import Rule, requirements
from advocacy.engine.state import contacts_changed_since, refresh_profiles
from advocacy.pipeline.models import Ask, AskType
from advocacy.signals.models import ADVOCACY_ACTIVITY_KINDS, Signal
from bench.harness import Context, Figure, benchmark, peak_rss_mib

NAME = "evaluate_plays"
SIZES = {  # accounts, contacts, signals
    "tiny": (20, 200, 5_000),
    "small": (2_000, 20_000, 200_000),
    "full": (100_000, 1_000_000, 10_000_000),
}
NEW_SIGNALS = {"tiny": 200, "small": 2_000, "full": 10_000}


def seconds_figure(
    figure: str, value: float, baseline: float, goal_ratio: float, **extra: Any
) -> Figure:
    ratio = value / baseline if baseline else None
    return Figure(
        bench=NAME,
        figure=figure,
        value=round(value, 3),
        unit="s",
        baseline=round(baseline, 3),
        ratio=None if ratio is None else round(ratio, 3),
        goal=f"ratio <= {goal_ratio:g}",
        met=None if ratio is None else ratio <= goal_ratio,
        extra=extra,
    )


@benchmark(NAME, "full evaluation and re-evaluation of the default playbook vs hand-written SQL")
def evaluate_plays(ctx: Context) -> Iterable[Figure]:
    accounts, contacts, signals = SIZES[ctx.scale]
    moment = ctx.workdir / "generated_at"
    if ctx.reuse and moment.exists():
        now = datetime.fromisoformat(moment.read_text().strip())
        ctx.log(f"reusing the data generated for {now.isoformat()}; engine state cleared")
        reset_engine_state()
    else:
        now = datetime.now(UTC).replace(microsecond=0)
        ctx.log(f"generating {accounts:,} accounts, {contacts:,} contacts, {signals:,} signals")
        load_program(DemoProgram(DemoSize(accounts, contacts, signals, seed=11), now=now), now=now)
        moment.write_text(now.isoformat())
    load_playbook(now=now)
    analyze()
    policy = DEFAULT_POLICY
    plays = list(Play.objects.filter(enabled=True))

    ctx.log("hand-written SQL of every play (once to warm the caches, then timed)")
    timed_sql(plays, now, policy)
    sql_seconds, sql_rows, per_play_sql = timed_sql(plays, now, policy)
    ctx.log("the engine on the seed rule alone")
    started = time.perf_counter()
    seed = run_plays(now=now, names=["nps-promoter-review"], policy=policy)
    seed_seconds = time.perf_counter() - started
    reset_engine_state()

    ctx.log("the engine on every play")
    started = time.perf_counter()
    runs = run_plays(now=now, policy=policy)
    run_seconds = time.perf_counter() - started
    asked = sum(r.asked for r in runs)
    considered = sum(r.considered for r in runs)
    ctx.log(f"plays {run_seconds:.1f} s ({considered:,} considered)")
    yield seconds_figure(
        "full_evaluation",
        run_seconds,
        sql_seconds,
        3,
        plays=len(plays),
        considered=considered,
        asked=asked,
        baseline_rows=sql_rows,
        baseline_per_play=per_play_sql,
    )
    yield seconds_figure(
        "seed_rule",
        seed_seconds,
        per_play_sql.get("nps-promoter-review", 0.0),
        3,
        considered=seed[0].considered if seed else 0,
    )

    ctx.log("refreshing every profile (not timed: the state the periodic job starts from)")
    started = time.perf_counter()
    refreshed = refresh_profiles(now=now, policy=policy)
    refresh_seconds = time.perf_counter() - started
    ctx.log(f"refresh {refresh_seconds:.1f} s")

    later = now + timedelta(minutes=15)
    watermark = Signal.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ctx.log(f"ingesting {NEW_SIGNALS[ctx.scale]:,} new signals (not timed)")
    add_signals(NEW_SIGNALS[ctx.scale], now, later)
    analyze()
    # What the periodic job does (advocacy.engine.tasks.evaluate_plays): the changed contacts'
    # profiles, the guards over the open asks, the plays on the new signals.
    started = time.perf_counter()
    changed = list(contacts_changed_since(watermark).values_list("pk", flat=True))
    refresh_profiles(now=later, contact_ids=changed, policy=policy)
    refreshed_at = time.perf_counter()
    guarded = run_guards(now=later, policy=policy)
    guarded_at = time.perf_counter()
    incremental_runs = run_plays(now=later, policy=policy, incremental=True)
    re_seconds = time.perf_counter() - started
    parts = {
        "profiles": round(refreshed_at - started, 3),
        "guards": round(guarded_at - refreshed_at, 3),
        "plays": round(started + re_seconds - guarded_at, 3),
    }
    ctx.log(f"re-evaluation {re_seconds:.2f} s for {len(changed):,} changed contacts")
    # The same work done in full over the same data: the guards, then every play over every
    # trigger in its window, from an engine that has decided nothing yet.
    reset_engine_state()
    started = time.perf_counter()
    run_guards(now=later, policy=policy)
    full_runs = run_plays(now=later, policy=policy)
    full_seconds = time.perf_counter() - started
    ctx.log(f"full evaluation with the new signals {full_seconds:.2f} s")
    yield seconds_figure(
        "re_evaluation",
        re_seconds,
        full_seconds,
        0.2,
        new_signals=NEW_SIGNALS[ctx.scale],
        changed_contacts=len(changed),
        considered=sum(r.considered for r in incremental_runs),
        guarded=guarded.as_dict(),
        seconds_by_step=parts,
        baseline_considered=sum(r.considered for r in full_runs),
        profiles=refreshed,
        profile_refresh_seconds=round(refresh_seconds, 2),
        baseline_is="a full evaluation of the same data: the guards and every play in full",
    )
    rss = peak_rss_mib()
    yield Figure(
        bench=NAME,
        figure="peak_rss",
        value=rss,
        unit="MiB",
        baseline=1024.0,
        ratio=round(rss / 1024, 3),
        goal="value < 1024",
        met=rss < 1024,
        extra={"baseline_is": "the goal, 1 GiB"},
    )


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def reset_engine_state() -> None:
    with transaction.atomic():
        Decision.objects.all().delete()
        Ask.objects.all().delete()
        TapClaim.objects.all().delete()
        ContactProfile.objects.all().delete()
        Play.objects.update(watermark=0, last_run_at=None)


def add_signals(n: int, now: datetime, later: datetime) -> None:
    """n new signals in the last 15 minutes, kinds drawn like the demo's recent ones."""
    rng = random.Random(5)
    ids = list(
        Signal.objects.filter(contact__isnull=False)
        .order_by("-id")
        .values_list("contact_id", "account_id")[: n * 3]
    )
    kinds = ["nps", "activity", "activity", "usage_milestone", "csat", "ticket_opened", "renewal"]
    # Keys of this run's own: a --reuse run has the same `later` as the run that generated the
    # data, whose new signals are still there.
    run = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    rows = []
    for i in range(n):
        contact_id, account_id = ids[rng.randrange(len(ids))]
        kind = rng.choice(kinds)
        value = {"nps": rng.choice([6, 8, 9, 10, 10]), "csat": rng.choice([3, 4, 5])}.get(kind)
        account_level = kind in {"renewal", "ticket_opened"}
        rows.append(
            Signal(
                source="bench", key=f"new-{later:%Y%m%d%H%M%S}-{run}-{i}", kind=kind,
                account_id=account_id,
                contact_id=None if account_level else contact_id,
                occurred_at=now + timedelta(seconds=rng.randrange(1, 900)), value=value,
            )
        )  # fmt: skip
    Signal.objects.bulk_create(rows, batch_size=5000)


# --- the baseline: the same rules, written by hand as SQL -------------------------------------

LATEST = (
    "(SELECT MAX(s.occurred_at) FROM signals_signal s WHERE s.{who} = {ref} "
    "AND s.kind {kind} AND s.occurred_at <= %(now)s{extra})"
)
VALUE_OF_LATEST = (
    "(SELECT s.value FROM signals_signal s WHERE s.{who} = {ref} AND s.kind = '{kind}' "
    "AND s.occurred_at <= %(now)s ORDER BY s.occurred_at DESC, s.id DESC LIMIT 1)"
)
COUNT = (
    "(SELECT COUNT(*) FROM signals_signal s WHERE s.{who} = {ref} AND s.kind {kind} "
    "AND s.occurred_at <= %(now)s{extra})"
)


def _latest(who: str, ref: str, kind: str, extra: str = "") -> str:
    return LATEST.format(who=who, ref=ref, kind=kind, extra=extra)


PROFILE_SQL = {
    "nps": VALUE_OF_LATEST.format(who="contact_id", ref="c.id", kind="nps"),
    "nps_at": _latest("contact_id", "c.id", "= 'nps'"),
    "csat": VALUE_OF_LATEST.format(who="contact_id", ref="c.id", kind="csat"),
    "health": VALUE_OF_LATEST.format(who="account_id", ref="c.account_id", kind="health_score"),
    "customer_since": "a.customer_since",
    "last_activity_at": _latest("contact_id", "c.id", "IN ('activity', 'usage_milestone')"),
    "last_milestone_at": _latest("account_id", "c.account_id", "= 'usage_milestone'"),
    "open_tickets": (
        COUNT.format(who="account_id", ref="c.account_id", kind="= 'ticket_opened'", extra="")
        + " - "
        + COUNT.format(who="account_id", ref="c.account_id", kind="= 'ticket_closed'", extra="")
    ),
    "last_ticket_at": _latest("account_id", "c.account_id", "= 'ticket_opened'"),
    "last_renewal_at": _latest("account_id", "c.account_id", "= 'renewal'"),
    "last_expansion_at": _latest("account_id", "c.account_id", "= 'expansion'"),
    "last_result_at": _latest("account_id", "c.account_id", "= 'result_shared'"),
    "last_nomination_at": _latest("contact_id", "c.id", "= 'csm_nomination'"),
    "activities_12m": COUNT.format(
        who="contact_id",
        ref="c.id",
        kind="IN (" + ", ".join(f"'{k}'" for k in ADVOCACY_ACTIVITY_KINDS) + ")",
        extra=" AND s.occurred_at >= %(year_ago)s",
    ),
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


def stage_and_rung_sql(p: Policy) -> dict[str, str]:
    """The lifecycle stage and ladder rung, as CASE expressions over the profile columns."""
    satisfied = f"(p.nps >= {p.satisfied_nps_min} OR p.health >= {p.satisfied_health_min})"
    since = "%(expansion_since)s"
    return {
        "stage": (
            "CASE WHEN p.customer_since <= %(mature_since)s "
            f"AND p.health >= {p.mature_health_min} AND p.nps >= {p.nps_min} "
            "AND p.nps_at >= %(year_ago)s THEN 'mature' "
            f"WHEN p.last_expansion_at >= {since} OR p.last_renewal_at >= {since} "
            f"OR p.last_result_at >= {since} THEN 'expansion' "
            "WHEN p.customer_since <= %(activation_since)s AND (p.last_activity_at >= "
            "%(active_since)s OR p.last_milestone_at IS NOT NULL) THEN 'engagement' "
            "ELSE 'activation' END"
        ),
        "rung": (
            f"CASE WHEN p.activities_12m >= {p.ambassador_activities} THEN 'ambassador' "
            f"WHEN p.activities_12m >= {p.champion_activities} THEN 'champion' "
            "WHEN p.activities_12m >= 1 OR p.last_nomination_at >= %(year_ago)s "
            "THEN 'advocate' "
            f"WHEN {satisfied} AND p.nps_at >= %(fresh_since)s "
            "AND p.last_activity_at >= %(active_since)s THEN 'engaged' "
            f"WHEN {satisfied} THEN 'satisfied' ELSE 'none' END"
        ),
    }


def condition_sql(cond: Mapping[str, Any], params: dict[str, Any], now: datetime) -> str:
    """Render a condition over the columns of `q` (profile plus stage and rung) as SQL text."""
    if not cond:
        return "TRUE"
    if "all" in cond:
        return (
            "(" + " AND ".join(condition_sql(c, params, now) for c in cond["all"]) + ")"
            if cond["all"]
            else "TRUE"
        )
    if "any" in cond:
        return (
            "(" + " OR ".join(condition_sql(c, params, now) for c in cond["any"]) + ")"
            if cond["any"]
            else "FALSE"
        )
    if "not" in cond:
        return f"NOT COALESCE({condition_sql(cond['not'], params, now)}, FALSE)"
    column, op = f"q.{cond['field']}", cond["op"]
    value: Any = cond.get("value")

    def param(v: Any) -> str:
        key = f"v{len(params)}"
        params[key] = v
        return f"%({key})s"

    if op in {"within_days", "older_than_days"}:
        cutoff: Any = now - timedelta(days=value)
        if cond["field"] == "customer_since":
            cutoff = cutoff.date()
        return f"{column} {'>=' if op == 'within_days' else '<='} {param(cutoff)}"
    simple = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
    if op in simple:
        return f"{column} {simple[op]} {param(value)}"
    if op == "ne":
        return f"({column} <> {param(value)} OR {column} IS NULL)"
    if op == "in":
        return f"{column} IN ({', '.join(param(v) for v in value)})"
    if op == "not_in":
        return f"({column} NOT IN ({', '.join(param(v) for v in value)}) OR {column} IS NULL)"
    if op == "exists":
        return f"{column} IS NOT NULL"
    if op == "missing":
        return f"{column} IS NULL"
    if op == "is_true":
        return f"{column} = {param(True)}"
    return f"{column} = {param(False)}"  # is_false


def verdict_sql(
    t: AskType,
    p: Policy,
    params: dict[str, Any],
    now: datetime,
    audience: Mapping[str, Any] | None = None,
    widen: Iterable[str] = (),
) -> str:
    """The first rule an ask of `t` fails for the row `q`, as the engine orders them, or 'ok'."""
    rules = requirements(p, t, widen)

    def not_true(cond: Mapping[str, Any]) -> str:
        return f"NOT COALESCE({condition_sql(cond, params, now)}, FALSE)"

    def refuses(r: Rule) -> str:
        cond = condition_sql(r.condition, params, now)
        return f"COALESCE({cond}, FALSE)" if r.blocks else not_true(r.condition)

    whens = [f"WHEN {not_true(audience)} THEN 'not_in_audience'"] if audience else []
    whens += [f"WHEN {refuses(r)} THEN '{r.code}'" for r in rules if not r.holds]
    whens.append(
        "WHEN EXISTS (SELECT 1 FROM pipeline_ask k WHERE k.contact_id = q.contact_id "
        f"AND k.ask_type_id = {t.pk} AND k.status IN "
        "('proposed', 'queued', 'sent', 'accepted', 'scheduled')) THEN 'already_open'"
    )
    for effort in reversed(covering(t, p)):
        whens.append(
            "WHEN EXISTS (SELECT 1 FROM engine_tapclaim tc WHERE tc.contact_id = "
            f"q.contact_id AND tc.effort = '{effort}' AND tc.next_allowed_at > %(now)s) "
            f"THEN 'cap_{effort}_effort'"
        )
    whens.append(
        "WHEN EXISTS (SELECT 1 FROM engine_asktypepreference w WHERE w.contact_id = "
        f"q.contact_id AND w.ask_type_id = {t.pk} AND w.willing = FALSE) THEN 'not_willing'"
    )
    own = p.for_type(t.code)
    if own.max_asks is not None:
        since = ""
        if own.per_days is not None:
            params[f"since_{t.pk}"] = now - timedelta(days=own.per_days)
            since = f" AND n.opened_at > %(since_{t.pk})s"
        chosen = (
            "(SELECT w.max_asks FROM engine_asktypepreference w WHERE w.contact_id = "
            f"q.contact_id AND w.ask_type_id = {t.pk} AND w.max_asks IS NOT NULL)"
        )
        least = "MIN" if connection.vendor == "sqlite" else "LEAST"
        allowed = (
            f"{least}(COALESCE({chosen}, {own.default_max_asks or own.max_asks}), {own.max_asks})"
        )
        whens.append(
            "WHEN (SELECT COUNT(*) FROM pipeline_ask n WHERE n.contact_id = q.contact_id "
            f"AND n.ask_type_id = {t.pk} AND n.status <> 'cancelled'{since}) >= {allowed} "
            "THEN 'cap_ask_type'"
        )
    whens += [f"WHEN {refuses(r)} THEN 'hold:{r.code}'" for r in rules if r.holds]
    return f"CASE {' '.join(whens)} ELSE 'ok' END"


def play_sql(
    play: Play, types: dict[str, AskType], now: datetime, policy: Policy
) -> tuple[str, dict[str, Any]]:
    d = play.definition
    trigger = d["trigger"]
    p = policy
    params: dict[str, Any] = {
        "now": now,
        "start": now - timedelta(hours=trigger.get("lookback_hours", 48)),
        "kind": trigger["signal"],
        "year_ago": now - timedelta(days=365),
        "mature_since": (now - timedelta(days=p.mature_tenure_days)).date(),
        "activation_since": (now - timedelta(days=p.activation_days)).date(),
        "expansion_since": now - timedelta(days=p.expansion_window_days),
        "active_since": now - timedelta(days=p.active_within_days),
        "fresh_since": now - timedelta(days=p.nps_fresh_days),
    }
    value_sql = ""
    for op, v in trigger.get("value", {}).items():
        params[f"tv_{op}"] = v
        sign = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}.get(op)
        value_sql += (
            f" AND t.value IN ({', '.join(str(float(x)) for x in v)})"
            if op == "in"
            else f" AND t.value {sign} %(tv_{op})s"
        )
    columns = ", ".join(f"{sql} AS {name}" for name, sql in PROFILE_SQL.items())
    window = (
        "t.kind = %(kind)s AND t.occurred_at > %(start)s AND t.occurred_at <= %(now)s" + value_sql
    )
    derived = ", ".join(f"{sql} AS {name}" for name, sql in stage_and_rung_sql(p).items())

    options = play_options(play, p, types)
    audience = d.get("audience") or {}
    widen = d.get("widen_stages", [])
    verdicts = ", ".join(
        f"{verdict_sql(o.ask_type, p, params, now, audience, widen)} AS v{i}"
        for i, o in enumerate(options)
    )
    passes = "(v{i} = 'ok' OR substr(v{i}, 1, 5) = 'hold:')"
    whens = []
    for i, o in enumerate(options):
        after = f"v{i - 1} = '{o.after}' AND " if o.after else ""
        whens.append(f"WHEN {after}{passes.format(i=i)} THEN {i}")
    choice = " ".join(whens)
    sql = (
        "INSERT INTO bench_verdict (contact_id, trigger_id, verdict, choice) "
        f"SELECT contact_id, trigger_id, v0, CASE {choice} END FROM ("
        f"SELECT q.contact_id, q.trigger_id, {verdicts} FROM ("
        f"SELECT p.*, {derived} FROM ("
        f"SELECT c.id AS contact_id, t.id AS trigger_id, {columns} "
        "FROM signals_signal t JOIN customers_contact c ON c.id = t.contact_id "
        f"JOIN customers_account a ON a.id = c.account_id WHERE {window} "
        "UNION ALL "
        f"SELECT c.id AS contact_id, t.id AS trigger_id, {columns} "
        "FROM signals_signal t JOIN customers_contact c ON c.account_id = t.account_id "
        f"JOIN customers_account a ON a.id = c.account_id WHERE t.contact_id IS NULL AND {window}"
        ") p) q) v"
    )
    if connection.vendor == "sqlite":
        sql = sql.replace("TRUE", "1").replace("FALSE", "0")
    return sql, params


def timed_sql(
    plays: list[Play], now: datetime, policy: Policy
) -> tuple[float, int, dict[str, float]]:
    types = {t.code: t for t in AskType.objects.all()}
    total, rows, per_play = 0.0, 0, {}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_verdict")
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_verdict (contact_id bigint, trigger_id bigint, "
            "verdict varchar(40), choice integer)"
        )
        for play in plays:
            sql, params = play_sql(play, types, now, policy)
            if connection.vendor == "sqlite":
                params = {
                    k: connection.ops.adapt_datetimefield_value(v) if isinstance(v, datetime) else v
                    for k, v in params.items()
                }
            started = time.perf_counter()
            with transaction.atomic():
                cursor.execute(sql, params)
                rows += cursor.rowcount
            seconds = time.perf_counter() - started
            per_play[play.name] = round(seconds, 3)
            total += seconds
    return total, rows, per_play
