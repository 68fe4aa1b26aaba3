"""Evaluate plays set-based: from trigger signals to decisions and asks, in a fixed number of
queries whatever the number of contacts.

For each play, one query per trigger level (contact-level and account-level signals) finds every
candidate with its profile and the first rule it fails (audience, prerequisites, each exclusion,
an open ask of the same type), all compiled from conditions by `advocacy.engine.conditions`, and
keeps them in a temporary table. The refused candidates are decided there by one INSERT … SELECT;
only those that passed every rule come back to Python, to be held out or asked: caps are then
claimed, asks opened and their decisions written in bulk, in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import django
from django.db import connection, transaction
from django.db.models import (
    Case,
    Exists,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.utils.dateparse import parse_datetime

from advocacy.core.bulk import insert_rows
from advocacy.customers.models import Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.caps import covering
from advocacy.engine.models import Decision, Outcome, Play
from advocacy.engine.policy import DEFAULT_POLICY, Policy
from advocacy.engine.prepared import PreparedCache, PreparedQuery, prepare
from advocacy.engine.profile import with_profile
from advocacy.engine.readiness import HOLD, cap_words, outcome_of, refusal_words, verdict
from advocacy.engine.rules import REASONS, cap_code
from advocacy.pipeline.models import AskStatus, AskType
from advocacy.signals.models import Signal


@dataclass
class PlayRun:
    play: str
    considered: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def asked(self) -> int:
        return self.outcomes[Outcome.ASKED]

    def as_dict(self) -> dict[str, Any]:
        return {
            "play": self.play,
            "considered": self.considered,
            **{o: self.outcomes[o] for o in Outcome.values},
        }


def in_holdout(play_name: str, contact_id: int, share: float) -> bool:
    """Deterministic: the same contact is always in or out of a play's control group."""
    if share <= 0:
        return False
    digest = hashlib.blake2b(f"{play_name}:{contact_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 10_000 < share * 10_000


def trigger_signals(
    definition: dict[str, Any], now: datetime, after_id: int = 0
) -> QuerySet[Signal]:
    trigger = definition["trigger"]
    lookback = timedelta(hours=trigger.get("lookback_hours", 48))
    qs = Signal.objects.filter(
        kind=trigger["signal"], occurred_at__gt=now - lookback, occurred_at__lte=now
    )
    for op, value in trigger.get("value", {}).items():
        qs = qs.filter(**{"value" if op == "eq" else f"value__{op}": value})
    if after_id:
        qs = qs.filter(id__gt=after_id)
    return qs


@dataclass(frozen=True)
class Option:
    """One ask a play may make of a candidate, in the order they are tried. `after`: taken
    only when the option before it was refused by that rule (an NDA's anonymous variant)."""

    ask_type: AskType
    after: str = ""


def play_options(play: Play, policy: Policy, types: dict[str, AskType]) -> list[Option]:
    """The play's ask, its alternatives in order, each named one followed by its anonymous
    variant (asked only where an NDA excludes the named ask)."""
    d = play.definition
    options: list[Option] = []
    for code in [d["ask"], *d.get("alternatives", [])]:
        ask_type = types[code]
        options.append(Option(ask_type))
        variant = policy.for_type(code).anonymous_variant
        if ask_type.public and variant in types:
            options.append(Option(types[variant], after="excluded_nda"))
    return options


def _option_verdicts(
    play: Play, options: list[Option], now: datetime, policy: Policy
) -> dict[str, Case]:
    d = play.definition
    widen = d.get("widen_stages", [])
    return {
        f"v{i}": verdict(o.ask_type, policy, now, audience=d.get("audience") or {}, widen=widen)
        for i, o in enumerate(options)
    }


_PREPARED = PreparedCache()
_CANDIDATE_COLUMNS = ("pk", "trigger_id", "account__owner_id")


OWN, SHARED = 0, 1  # trigger levels: the contact's own signals, its account's shared ones


def candidate_query(
    play: Play, options: list[Option], now: datetime, policy: Policy, after_id: int, level: int
) -> QuerySet[Contact]:
    """The undecided (contact, trigger) pairs of the play with the verdict of each option
    (`v0`, `v1`, …), at one trigger level: signals of the contact itself (OWN), or
    account-level signals its contacts share."""
    triggers = trigger_signals(play.definition, now, after_id)
    latest = ("-occurred_at", "-id")
    if level == OWN:
        own = triggers.filter(contact=OuterRef("pk")).order_by(*latest).values("id")[:1]
        qs = Contact.objects.filter(
            pk__in=triggers.filter(contact__isnull=False).values("contact_id")
        ).annotate(trigger_id=Subquery(own))
    else:
        # The account's latest trigger. Not narrowed to account-level signals (contact IS
        # NULL): that would steer SQLite onto the contact index and a scan of every
        # account-level signal in the window per candidate; the (account, kind, occurred_at)
        # index answers this directly.
        shared = triggers.filter(account=OuterRef("account_id")).order_by(*latest).values("id")[:1]
        qs = Contact.objects.filter(
            account_id__in=triggers.filter(contact__isnull=True).values("account_id")
        ).annotate(trigger_id=Subquery(shared))
    decided = Decision.objects.filter(
        play=play, contact=OuterRef("pk"), trigger_signal_id=OuterRef("trigger_id")
    )
    # Every contact selected has a trigger in the window (it was selected for one), so the
    # trigger's subquery is never NULL: no filter on it, which would run it once more per row.
    return (
        with_profile(qs, now, policy)
        .filter(~Exists(decided))
        .annotate(**(verdicts := _option_verdicts(play, options, now, policy)))
        .order_by()  # a set: contacts' default order (by name) would only add a sort
        .values(*_CANDIDATE_COLUMNS, *verdicts)
    )


def candidate_queries(
    play: Play, options: list[Option], now: datetime, policy: Policy, after_id: int = 0
) -> tuple[QuerySet[Contact], QuerySet[Contact]]:
    """Both levels' queries (see `candidate_query`)."""
    return (
        candidate_query(play, options, now, policy, after_id, OWN),
        candidate_query(play, options, now, policy, after_id, SHARED),
    )


@cache
def _code_digest() -> str:
    """What the SQL of a play is made by: this code, the models it reads, Django's version."""
    from advocacy.customers import models as customers
    from advocacy.engine import (
        caps,
        conditions,
        models,
        policy,
        prepared,
        profile,
        readiness,
        rules,
    )
    from advocacy.pipeline import models as pipeline
    from advocacy.signals import models as signals

    digest = hashlib.sha256(django.get_version().encode())
    modules = (customers, caps, conditions, models, policy, prepared, profile, readiness, rules)
    for module in (*modules, pipeline, signals):
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def _fingerprint(
    play: Play, options: list[Option], policy: Policy, incremental: bool, level: int
) -> str:
    """Names everything a play's candidate SQL depends on besides `now` and the watermark."""
    parts = [
        _code_digest(),
        connection.vendor,
        play.pk,
        play.digest,
        [
            [
                o.ask_type.pk,
                o.ask_type.code,
                o.ask_type.effort,
                o.ask_type.public,
                o.ask_type.prerequisites,
                o.after,
            ]
            for o in options
        ],
        repr(policy),
        incremental,
        level,
    ]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


KEPT_TEMPLATES = 16  # per play; older ones (another policy, say) make room


def _keep_templates(play: Play, learned: dict[str, dict[str, Any]]) -> None:
    templates = {**(play.templates or {}), **learned}
    while len(templates) > KEPT_TEMPLATES:
        templates.pop(next(iter(templates)))
    play.templates = templates
    Play.objects.filter(pk=play.pk).update(templates=templates)


# The candidates of the play being evaluated, one row per (contact, trigger) and trigger level,
# kept in the database: the decisions they get are written from here by INSERT … SELECT, and
# only those to ask come back to Python. A temporary table (per connection, in memory on
# SQLite); emptied before each play, and on PostgreSQL at each commit as well.
CANDIDATES = "engine_run_candidate"
MAX_OPTIONS = 8  # a play's ask, three alternatives, and an anonymous variant of each
_COLUMNS = {  # the candidate query's columns, as the table names them
    "pk": "contact_id",
    "trigger_id": "trigger_id",
    "account__owner_id": "owner_id",
    **{f"v{i}": f"v{i}" for i in range(MAX_OPTIONS)},
}


def _candidate_table(cursor: Any) -> None:
    keep = " ON COMMIT DELETE ROWS" if connection.vendor == "postgresql" else ""
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {CANDIDATES} (level integer, contact_id bigint, "
        f"trigger_id bigint, owner_id bigint, "
        + ", ".join(f"v{i} varchar(40)" for i in range(MAX_OPTIONS))
        + f"){keep}"
    )
    cursor.execute(f"DELETE FROM {CANDIDATES}")


def _choice_sql(options: list[Option]) -> tuple[str, str]:
    """The option a candidate is asked for (the first whose verdict lets it through, an
    anonymous variant only after an NDA refused the named ask), and that option's verdict."""
    passes = "(v{i} = 'ok' OR substr(v{i}, 1, 5) = 'hold:')"
    whens = []
    for i, o in enumerate(options):
        cond = passes.format(i=i)
        if o.after:
            cond = f"v{i - 1} = '{o.after}' AND {cond}"
        whens.append((cond, i))
    choice = "CASE " + " ".join(f"WHEN {c} THEN {i}" for c, i in whens) + " END"
    chosen = "CASE " + " ".join(f"WHEN {c} THEN v{i}" for c, i in whens) + " END"
    return choice, chosen


def stage_candidates(
    cursor: Any,
    play: Play,
    options: list[Option],
    now: datetime,
    policy: Policy,
    after_id: int = 0,
) -> int:
    """Put every undecided (contact, trigger) pair of the play in the candidates table
    (`CANDIDATES`) with the verdict of each of the play's options (`v0`: its ask); returns
    how many rows that made. `_choice_sql` reads from them the option a candidate is asked for.

    The SQL is not built by the ORM at every run but taken from a template (see
    advocacy.engine.prepared) with the parameters of `now` and the watermark: building it costs
    as much as running it. Templates are learnt when the playbook is loaded, or else by a play's
    first two runs, and kept on the play, so a new process (`advocacy run`) starts with them.
    """
    incremental = bool(after_id)
    staged = 0
    learned: dict[str, dict[str, Any]] = {}
    _candidate_table(cursor)
    for level in (OWN, SHARED):

        def build(at: datetime, watermark: int, level: int = level) -> QuerySet[Any]:
            cut = watermark if incremental else 0
            return candidate_query(play, options, at, policy, cut, level)

        fingerprint = _fingerprint(play, options, policy, incremental, level)
        key = ("candidates", fingerprint)
        stored = (play.templates or {}).get(fingerprint)
        if stored is not None and _PREPARED.template(key) is None:
            _PREPARED.put(key, PreparedQuery.from_json(stored))
        sql, params, names = _PREPARED.statement(key, build, now, after_id)
        columns = ", ".join(_COLUMNS[name] for name in names)
        cursor.execute(
            f"INSERT INTO {CANDIDATES} ({columns}, level) SELECT q.*, {level} FROM ({sql}) q",
            params,
        )
        staged += cursor.rowcount
        template = _PREPARED.template(key)
        if stored is None and template is not None and (data := template.to_json()):
            learned[fingerprint] = data
    if learned:
        _keep_templates(play, learned)
    return staged


def learn_templates(plays: Iterable[Play], policy: Policy, now: datetime) -> int:
    """Learn and keep the candidate templates of `plays` (full and incremental runs, both
    trigger levels), so their first run builds no SQL; returns how many were kept."""
    types = {t.code: t for t in AskType.objects.all()}
    kept = 0
    for play in plays:
        try:
            options = play_options(play, policy, types)
        except KeyError:
            continue
        learned: dict[str, dict[str, Any]] = {}
        for incremental in (False, True):
            for level in (OWN, SHARED):

                def build(
                    at: datetime,
                    watermark: int,
                    level: int = level,
                    inc: bool = incremental,
                    play: Play = play,
                    options: list[Option] = options,
                ) -> QuerySet[Any]:
                    cut = watermark if inc else 0
                    return candidate_query(play, options, at, policy, cut, level)

                fingerprint = _fingerprint(play, options, policy, incremental, level)
                key = ("candidates", fingerprint)
                # This process learnt it already (the same play reloaded unchanged): the
                # fingerprint names everything the SQL depends on, so it is the same template.
                template = _PREPARED.template(key)
                if template is None:
                    template = prepare(build, now, 1)
                    if template is not None:
                        _PREPARED.put(key, template)
                data = template.to_json() if template is not None else None
                if data:
                    learned[fingerprint] = data
        if learned:
            _keep_templates(play, learned)
            kept += len(learned)
    return kept


def record_refusals(
    cursor: Any, play_id: int, now: datetime, options: list[Option], words: dict[str, str]
) -> Counter[str]:
    """Decide every staged candidate that no option lets through, in one INSERT … SELECT from
    the candidates table: the first rule the play's own ask failed (`v0`), its outcome, its
    code and its words; returns the outcomes.

    Skips any decision already recorded (unique key), as a pair staged at both trigger levels.
    """
    choice, _ = _choice_sql(options)
    codes = list(words)
    whens = " ".join("WHEN %s THEN %s" for _ in codes)
    reasons = f"CASE v0 {whens} END"
    if connection.vendor == "postgresql":
        reasons = f"CAST({reasons} AS jsonb)"
    params: list[Any] = [play_id]
    params += [v for code in codes for v in (code, str(outcome_of(code)))]
    params += [v for code in codes for v in (code, json.dumps([words[code]]))]
    params.append(connection.ops.adapt_datetimefield_value(now))
    table = connection.ops.quote_name(Decision._meta.db_table)
    cursor.execute(
        f"INSERT INTO {table} (play_id, contact_id, trigger_signal_id, moment, outcome, code, "
        "reasons, ask_id, decided_at) "
        f"SELECT %s, contact_id, trigger_id, 'signal:' || CAST(trigger_id AS text), "
        f"CASE v0 {whens} END, v0, {reasons}, NULL, %s FROM {CANDIDATES} "
        # In the order of the unique key's leading column: neighbouring index pages.
        f"WHERE ({choice}) IS NULL ORDER BY contact_id, trigger_id "
        "ON CONFLICT (contact_id, play_id, moment) DO NOTHING RETURNING outcome",
        params,
    )
    return Counter(row[0] for row in cursor.fetchall())


@dataclass
class _Pending:
    outcome: str
    code: str
    reasons: list[str]
    ask_id: int | None = None


def write_decisions(
    play_id: int, now: datetime, decisions: dict[tuple[int, int], _Pending]
) -> None:
    """Insert the decisions in one executemany, skipping any already recorded (unique key).

    The candidates that passed every rule (a few thousand a run): plain rows through the
    driver, not model instances, since building and preparing a model per row cost more than
    the database's work.
    """
    insert_rows(
        Decision,
        ("play_id", "contact_id", "trigger_signal_id", "moment", "outcome", "code", "reasons",
         "ask_id", "decided_at"),
        [
            (play_id, contact_id, trigger_id, f"signal:{trigger_id}", d.outcome, d.code,
             d.reasons, d.ask_id, now)
            # In the order of the unique key's leading column: neighbouring index pages.
            for (contact_id, trigger_id), d in sorted(decisions.items())
        ],
        conflict="ON CONFLICT (contact_id, play_id, moment) DO NOTHING",
    )  # fmt: skip


def _moment(value: Any) -> datetime:
    """A timestamp as the driver hands it back from plain SQL (SQLite: text in UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


_HELD_OUT = [REASONS["held_out"]]
_ASKED: list[str] = []


@transaction.atomic
def evaluate_play(
    play: Play,
    *,
    now: datetime,
    policy: Policy = DEFAULT_POLICY,
    incremental: bool = False,
    actor: Any = None,
) -> PlayRun:
    """Decide for every new triggering moment of one play; safe to run again (idempotent).

    The candidates and the verdicts of the play's options stay in the database: the refused
    ones are decided there in one statement; those an option lets through come back to be held
    out (a deterministic draw) or asked (caps claimed, asks opened), and their decisions are
    written after. An option held for approval (a sensitive industry) opens its ask proposed,
    for a person to send or cancel.
    """
    play = Play.objects.select_for_update().get(pk=play.pk)  # one evaluator per play at a time
    d = play.definition
    types = {t.code: t for t in AskType.objects.all()}
    options = play_options(play, policy, types)
    high_water = Signal.objects.aggregate(m=Max("id"))["m"] or 0
    after_id = play.watermark if incremental else 0
    words = refusal_words(options[0].ask_type, policy, d.get("widen_stages", []))
    choice, chosen = _choice_sql(options)
    signals = connection.ops.quote_name(Signal._meta.db_table)
    with connection.cursor() as cursor:
        considered = stage_candidates(cursor, play, options, now, policy, after_id)
        refused = record_refusals(cursor, play.pk, now, options, words)
        # Own triggers first: a contact also staged by its account's trigger is asked for its own.
        cursor.execute(
            f"SELECT c.contact_id, c.trigger_id, c.owner_id, {choice}, {chosen}, s.occurred_at "
            f"FROM {CANDIDATES} c JOIN {signals} s ON s.id = c.trigger_id "
            f"WHERE ({choice}) IS NOT NULL ORDER BY c.level, c.contact_id, c.trigger_id"
        )
        passed = cursor.fetchall()
    holdout = float(d.get("holdout", 0))
    run = PlayRun(play.name, considered=considered)
    owner = d.get("owner", {})
    timing = d.get("timing", {})
    channels = d.get("channels") or [{"channel": ""}]
    sequence = tuple((str(c["channel"]), int(c.get("after_hours", 0))) for c in channels)
    sequence = sequence if len(sequence) > 1 else ()
    sla_days = d.get("sla", {}).get("respond_within_days")
    reminder = timing.get("reminder_after_days")
    within = timing.get("within_hours")
    status = AskStatus.QUEUED if d.get("start") == "queued" else AskStatus.PROPOSED
    due_at = now + timedelta(days=sla_days) if sla_days else None
    follow_up_at = now + timedelta(days=reminder) if reminder else None
    decisions: dict[tuple[int, int], _Pending] = {}
    requests: list[AskRequest] = []
    for contact_id, trigger_id, owner_id, picked, verdict_of, trigger_at in passed:
        key = (contact_id, trigger_id)
        if key in decisions:
            continue
        if in_holdout(play.name, contact_id, holdout):
            decisions[key] = _Pending(Outcome.HELD_OUT, "held_out", _HELD_OUT)
            continue
        option = options[picked]
        note = ""
        if verdict_of.startswith(HOLD):
            held = verdict_of.removeprefix(HOLD)
            note = f"held for approval: {REASONS[held]}"
            decisions[key] = _Pending(Outcome.HELD_FOR_APPROVAL, "held_for_approval", [note])
        elif option.after:
            note = f"{REASONS['excluded_nda']}; asked for: {option.ask_type.name}"
            decisions[key] = _Pending(Outcome.ASKED, "anonymous_variant", [note])
        elif picked:
            note = f"asked for the alternative: {option.ask_type.name}"
            decisions[key] = _Pending(Outcome.ASKED, "asked", [note])
        else:
            decisions[key] = _Pending(Outcome.ASKED, "asked", _ASKED)
        requests.append(
            AskRequest(
                contact_id=contact_id,
                ask_type=option.ask_type,
                moment=f"signal:{trigger_id}",
                play=play.name,
                trigger_signal_id=trigger_id,
                status=AskStatus.PROPOSED if verdict_of.startswith(HOLD) else status,
                owner_id=owner_id if owner.get("account_owner") else None,
                owner_role=owner.get("role", ""),
                channel=channels[0]["channel"],
                sequence=sequence,
                due_at=due_at,
                follow_up_at=follow_up_at,
                send_by=_moment(trigger_at) + timedelta(hours=within) if within else None,
                note=note,
            )
        )
    opened = open_asks(requests, now=now, actor=actor, policy=policy)
    for r, ask_id in opened.granted:
        decisions[(r.contact_id, r.trigger_signal_id or 0)].ask_id = ask_id
    for r in opened.capped + opened.duplicate:
        decision = decisions[(r.contact_id, r.trigger_signal_id or 0)]
        efforts = covering(r.ask_type, policy)
        code = cap_code(efforts[-1]) if efforts else "cap_ask_type"
        decision.outcome = Outcome.BLOCKED_CAP
        decision.code = code
        decision.reasons = [cap_words(r.ask_type, policy, code)]
    write_decisions(play.pk, now, decisions)
    run.outcomes.update(refused)
    run.outcomes.update(dec.outcome for dec in decisions.values())
    Play.objects.filter(pk=play.pk).update(
        last_run_at=now, watermark=max(play.watermark, high_water)
    )
    return run


def run_plays(
    *,
    now: datetime,
    names: list[str] | None = None,
    policy: Policy = DEFAULT_POLICY,
    incremental: bool = False,
    actor: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[PlayRun]:
    """Evaluate every enabled play (or the named ones), each in its own transaction.

    `progress(plays evaluated, plays in all)` after each play.
    """
    chosen = Play.objects.filter(enabled=True)
    if names:
        chosen = chosen.filter(name__in=names)
    plays = list(chosen)
    runs = []
    for done, play in enumerate(plays, 1):
        runs.append(
            evaluate_play(play, now=now, policy=policy, incremental=incremental, actor=actor)
        )
        if progress is not None:
            progress(done, len(plays))
    return runs


def catch_up(
    start: datetime,
    end: datetime,
    *,
    step: timedelta = timedelta(days=1),
    names: list[str] | None = None,
    policy: Policy = DEFAULT_POLICY,
    progress: Callable[[int, int], None] | None = None,
) -> list[PlayRun]:
    """Run the plays for real at every `step` from `start` to `end`, as a scheduler would have.

    For a new install with history: the decisions and asks it leaves are those the plays would
    have made had they been running. Returns one summed PlayRun per play.
    """
    totals: dict[str, PlayRun] = {}
    steps = max(0, (end - start) // step + 1)
    now = start
    done = 0
    while now <= end:
        for run in run_plays(now=now, names=names, policy=policy):
            total = totals.setdefault(run.play, PlayRun(run.play))
            total.considered += run.considered
            total.outcomes.update(run.outcomes)
        now += step
        done += 1
        if progress is not None:
            progress(done, steps)
    return list(totals.values())
