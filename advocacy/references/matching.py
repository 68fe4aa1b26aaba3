"""Ranked candidates for a reference request, each with the reasons for its rank.

Two queries, whatever the size of the program:

1. **Probes** on the pool (`ReferenceAdvocate`): one statement, a UNION ALL of index scans,
   each reading the best `PROBE` rows by `standing` of one segment: the request's industry,
   region and size band; industry and region; industry and size band; industry; region and size
   band; anyone. Only rows that are ready, past any time-bound exclusion and past any effort
   window that holds reference calls (none by default) *as of now* are read. Within a segment,
   an advocate past its first `PROBE` by standing is only reached if products and use case
   would lift it above them: a bounded trade for a query whose cost does not grow with the
   program.
2. **Re-check** of the best of those (a few more than asked for), ranked in Python by `score`,
   against the live policy: the engine's verdict on `reference_call`
   (`advocacy.engine.readiness.verdict`, an open ask aside): every rule over the signal log as
   of `now`, and the caps: the type's own limit (one a month unless the advocate chose up to
   three), the advocate's unwillingness, any effort window in `TapClaim`. A contact whose facts
   changed since the pool's refresh (a new ticket, an opt-out, an ask from a play) is dropped
   here, so what is shown passes policy and caps exactly. A rule that only holds an ask for
   approval (a sensitive industry) does not drop a candidate: it is named among the reasons,
   and offering is the approval.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from advocacy.customers.models import Contact, Region, SizeBand
from advocacy.engine.policy import Policy
from advocacy.engine.prepared import PreparedQuery, prepare
from advocacy.engine.profile import with_profile
from advocacy.engine.readiness import HOLD, OK, verdict
from advocacy.engine.rules import REASONS
from advocacy.pipeline.models import AskType
from advocacy.references.models import ReferenceAdvocate
from advocacy.references.pool import REST_POINTS, reference_type

PROBE = 20  # rows read per probe
# The desk's spread: at most this many candidates of one account in the list shown for a
# request, so a prospect hears from several customers, not two accounts' whole teams
# (docs/reference-desk.md). 0 would lift the limit.
PER_ACCOUNT = 2
REGIONS = dict(Region.choices)
SIZE_BANDS = dict(SizeBand.choices)
WEIGHTS = {"industry": 3, "region": 2, "size_band": 2, "product": 1, "use_case": 2}
POOL_COLUMNS = (
    "contact_id",
    "account_id",
    "industry",
    "region",
    "size_band",
    "products",
    "use_cases",
    "last_tapped_at",
    "calls_completed",
    "rating_sum",
    "rating_count",
    "declines",
    "standing",
)


@dataclass(frozen=True)
class Need:
    """What the prospect looks like: the fields a request is matched on."""

    industry: str
    region: str = ""
    size_band: str = ""
    products: Sequence[str] = ()
    use_case: str = ""


@dataclass
class Candidate:
    contact_id: int
    account_id: int
    score: int
    reasons: list[str]
    fit: int
    rest: int
    outcomes: int
    last_tapped_at: datetime | None
    calls_completed: int
    average_rating: float | None
    email: str = ""
    name: str = ""
    account: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "contact_id": self.contact_id,
            "email": self.email,
            "name": self.name,
            "account": self.account,
            "score": self.score,
            "fit": self.fit,
            "rest": self.rest,
            "outcomes": self.outcomes,
            "reasons": self.reasons,
            "last_tapped_at": self.last_tapped_at.isoformat() if self.last_tapped_at else None,
            "calls_completed": self.calls_completed,
            "average_rating": self.average_rating,
        }


def _parse_time(value: Any) -> datetime | None:
    """SQLite hands back text (or a naive datetime, in UTC); PostgreSQL an aware datetime."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _as_list(value: Any) -> tuple[str, ...]:
    """A JSON list column as text items: SQLite hands back the JSON text, PostgreSQL a list."""
    if isinstance(value, str):
        return _parsed(value)
    return tuple(str(v) for v in value or [])


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> tuple[str, ...]:
    # The pool repeats few lists (an account's products, its use cases): each is parsed once,
    # not twice per candidate of every request.
    return tuple(str(v) for v in json.loads(text)) if text else ()


def probe_sql(need: Need, now: datetime) -> tuple[str, list[Any]]:
    """The UNION ALL of index range scans over the pool, each limited to `PROBE` rows."""
    q = connection.ops.quote_name
    table = q(ReferenceAdvocate._meta.db_table)
    cols = ", ".join(q(c) for c in POOL_COLUMNS)
    live = (  # a quiet period is in force up to and including `quiet_until`, as the rule's
        "ready = %s AND (quiet_until IS NULL OR quiet_until < %s) "
        "AND (next_allowed_at IS NULL OR next_allowed_at <= %s)"
    )
    segments: list[dict[str, str]] = []
    industry = need.industry.strip().lower()
    keys = {"industry": industry, "region": need.region, "size_band": need.size_band}
    for names in (
        ("industry", "region", "size_band"),
        ("industry", "region"),
        ("industry", "size_band"),
        ("industry",),
        ("region", "size_band"),
        (),
    ):
        if all(keys[n] for n in names):
            segments.append({n: keys[n] for n in names})
    parts: list[str] = []
    params: list[Any] = []
    for seg in segments:
        where = " AND ".join([live, *(f"{q(n)} = %s" for n in seg)])
        parts.append(
            f"SELECT * FROM (SELECT {cols} FROM {table} WHERE {where} "
            f"ORDER BY standing DESC LIMIT {PROBE}) AS p{len(parts)}"
        )
        params.extend([True, now, now, *seg.values()])
    return " UNION ALL ".join(parts), params


def probe(need: Need, now: datetime) -> list[dict[str, Any]]:
    """Run the probes; rows of the pool as dicts."""
    sql, params = probe_sql(need, now)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = {row[0]: row for row in cursor.fetchall()}  # a row found by several probes
    return [dict(zip(POOL_COLUMNS, row, strict=True)) for row in rows.values()]


def _days(now: datetime, then: datetime) -> int:
    return max(0, (now - then).days)


def score(row: dict[str, Any], need: Need, now: datetime) -> Candidate:
    """The rank of one pool row for `need`: fit, rest since the last tap, past outcomes."""
    reasons: list[str] = []
    fit = 0
    if need.industry and row["industry"] == need.industry.strip().lower():
        fit += WEIGHTS["industry"]
        reasons.append(f"same industry ({need.industry}) +{WEIGHTS['industry']}")
    if need.region and row["region"] == need.region:
        fit += WEIGHTS["region"]
        label = REGIONS.get(need.region, need.region)
        reasons.append(f"same region ({label}) +{WEIGHTS['region']}")
    if need.size_band and row["size_band"] == need.size_band:
        fit += WEIGHTS["size_band"]
        label = SIZE_BANDS.get(need.size_band, need.size_band)
        reasons.append(f"same size band ({label}) +{WEIGHTS['size_band']}")
    theirs = {p.lower(): p for p in _as_list(row["products"])}
    shared = [theirs[p.lower()] for p in need.products if p.lower() in theirs]
    if shared:
        fit += WEIGHTS["product"] * len(shared)
        reasons.append(f"uses {', '.join(shared)} +{WEIGHTS['product'] * len(shared)}")
    uses = {u.lower() for u in _as_list(row["use_cases"])}
    if need.use_case and need.use_case.strip().lower() in uses:
        fit += WEIGHTS["use_case"]
        reasons.append(f"same use case ({need.use_case}) +{WEIGHTS['use_case']}")
    last = _parse_time(row["last_tapped_at"])
    rest = 0
    if last is None:
        rest = REST_POINTS[0][1]
        reasons.append(f"never asked before (rested) +{rest}")
    else:
        ago = _days(now, last)
        rest = next((points for days, points in REST_POINTS if ago >= days), 0)
        reasons.append(f"last asked {ago} days ago +{rest}")
    outcomes = 0
    calls = int(row["calls_completed"])
    rated = int(row["rating_count"])
    average = round(int(row["rating_sum"]) / rated, 1) if rated else None
    if calls:
        outcomes += 1
        reasons.append(f"{calls} reference call(s) held +1")
    if average is not None and average >= 4:
        outcomes += 1
        reasons.append(f"average rating {average} +1")
    if int(row["declines"]) >= 2:
        outcomes -= 1
        reasons.append(f"declined {row['declines']} offers -1")
    return Candidate(
        contact_id=int(row["contact_id"]),
        account_id=int(row["account_id"]),
        score=fit + rest + outcomes,
        reasons=reasons,
        fit=fit,
        rest=rest,
        outcomes=outcomes,
        last_tapped_at=last,
        calls_completed=calls,
        average_rating=average,
    )


def _recheck_queryset(
    contact_ids: list[int], ask_type: AskType, now: datetime, policy: Policy
) -> QuerySet[Any]:
    """The contacts of `contact_ids` the engine's verdict lets an ask of `ask_type` through
    (every rule, the caps; an offer already open for another request does not stop it)."""
    return (
        with_profile(Contact.objects.filter(pk__in=contact_ids), now, policy)
        .annotate(verdict=verdict(ask_type, policy, now, check_open=False))
        .filter(Q(verdict=OK) | Q(verdict__startswith=HOLD))
        .order_by()
        .values("pk", "email", "first_name", "last_name", "account__name", "verdict")
    )


SLOTS = 20  # contacts per re-check
_templates: dict[tuple[Any, ...], PreparedQuery | None] = {}
_LEARNT_AT = datetime(2001, 1, 1, tzinfo=UTC)


def template(ask_type: AskType, policy: Policy) -> PreparedQuery | None:
    """The re-check's SQL, learnt once per ask type and policy (advocacy.engine.prepared): the
    moments move with `now`, the 20 contact ids are slots. Building it through the ORM costs
    far more than running it. None when it cannot be templated (it then goes through the ORM)."""
    key = (
        connection.vendor,
        connection.settings_dict["NAME"],
        repr(policy),
        f"{ask_type.pk}:{ask_type.effort}:{ask_type.public}",
        json.dumps(ask_type.prerequisites),
    )
    if key not in _templates:

        def build(at: datetime, base: int) -> QuerySet[Any]:
            return _recheck_queryset([base + 1 + i for i in range(SLOTS)], ask_type, at, policy)

        _templates[key] = prepare(build, _LEARNT_AT, 0)
    return _templates[key]


def passing(
    contact_ids: Collection[int], ask_type: AskType, *, now: datetime, policy: Policy
) -> dict[int, dict[str, Any]]:
    """Of `contact_ids`, those the live policy allows a `ask_type` ask now, with their names.

    One query per 20 contacts: the engine's verdict (every rule over the signal log as of
    `now`, the type's own limit, unwillingness, any effort window held in TapClaim); each row
    carries it, `ok` or the `hold:<code>` of a rule that asks for approval.
    """
    wanted = list(contact_ids)
    learnt = template(ask_type, policy)
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(wanted), SLOTS):
        chunk = wanted[start : start + SLOTS]
        padded = [*chunk, *[0] * (SLOTS - len(chunk))]
        rows = (
            learnt.rows(now, slots=padded)
            if learnt is not None
            else list(_recheck_queryset(padded, ask_type, now, policy))
        )
        for row in rows:
            pk = row.pop("pk")
            found[pk] = row
    return found


def tie_break(c: Candidate) -> tuple[Any, ...]:
    """The order of candidates: best score first; among equals, the one rested longest
    (never asked, then the oldest last tap), then the one who has held fewer reference calls
    (the load spread over the pool), then the contact id (the same order every time)."""
    never = c.last_tapped_at is None
    tapped = c.last_tapped_at.timestamp() if c.last_tapped_at else 0.0
    return (-c.score, not never, tapped, c.calls_completed, c.contact_id)


def rank(
    need: Need,
    *,
    now: datetime,
    policy: Policy,
    limit: int = 10,
    skip: Collection[int] = (),
    ask_type: AskType | None = None,
    per_account: int = PER_ACCOUNT,
) -> list[Candidate]:
    """The best `limit` candidates for `need`, best first, at most `per_account` of one
    account (0: any number); `skip` leaves contacts out (those already offered this request)."""
    ask_type = ask_type or reference_type()
    ranked = sorted(
        (score(row, need, now) for row in probe(need, now) if row["contact_id"] not in skip),
        key=tie_break,
    )
    chosen: list[Candidate] = []
    taken: dict[int, int] = {}  # candidates chosen per account
    step = min(SLOTS, limit + 2)  # a few spare: the pool is rarely stale
    start = 0
    while start < len(ranked):
        # Those of an account already at its share are passed over before the re-check.
        batch: list[Candidate] = []
        while start < len(ranked) and len(batch) < step:
            c = ranked[start]
            start += 1
            if not per_account or taken.get(c.account_id, 0) < per_account:
                batch.append(c)
        alive = passing([c.contact_id for c in batch], ask_type, now=now, policy=policy)
        for c in batch:
            row = alive.get(c.contact_id)
            if row is None or (per_account and taken.get(c.account_id, 0) >= per_account):
                continue
            c.email = row["email"]
            c.name = f"{row['first_name']} {row['last_name']}".strip() or row["email"]
            c.account = row["account__name"]
            if str(row["verdict"]).startswith(HOLD):  # offering them is the approval
                held = str(row["verdict"]).removeprefix(HOLD)
                c.reasons.append(f"for your approval: {REASONS.get(held, held)}")
            chosen.append(c)
            taken[c.account_id] = taken.get(c.account_id, 0) + 1
            if len(chosen) == limit:
                return chosen
    return chosen
