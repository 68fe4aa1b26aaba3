"""Keep the table of reference-ready advocates (`ReferenceAdvocate`) in step, set-based.

For each chunk of contacts, one DELETE and one INSERT ... SELECT write the contacts whose
`reference_call` requirements hold (the gate, the type's own thresholds, the stage), computed
with the engine's own rules and compiled conditions (so the desk and the plays never
disagree), with:

- `ready`: no exclusion of the policy is in force, except the time-bound ones (a support ticket
  in the last N days), which are stored as `quiet_until`, the moment they lapse, so matching
  compares it with its own `now`, and the ones that only hold an ask for a person's approval
  (a sensitive industry, by default): the desk's offer is that approval, as in the re-check;
- the effort windows that cover a reference call (`next_allowed_at`; none by default: its own
  monthly limit governs it, re-checked live) and the latest tap of any effort;
- past outcomes on the desk (calls held, ratings, declined offers) and `standing`, the points
  of rest and outcomes that the matching probes read the table in.

Run by the periodic job for the contacts whose signals changed (and in full once a day), and
for one contact whenever an offer or a call of theirs changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Lower

from advocacy.customers.models import Contact
from advocacy.engine.caps import covering
from advocacy.engine.conditions import compile_condition
from advocacy.engine.models import TapClaim
from advocacy.engine.policy import DEFAULT_POLICY, Policy
from advocacy.engine.profile import with_profile
from advocacy.engine.rules import Condition, requirements
from advocacy.engine.state import contacts_changed_since
from advocacy.pipeline.models import AskType
from advocacy.references.models import (
    CallOutcome,
    Offer,
    PoolState,
    ReferenceAdvocate,
    ReferenceCall,
)
from advocacy.signals.models import Signal

ASK_TYPE = "reference_call"
FULL_EVERY = timedelta(days=1)
COLUMNS = (
    "account_id",
    "industry",
    "region",
    "size_band",
    "products",
    "use_cases",
    "ready",
    "quiet_until",
    "next_allowed_at",
    "last_tapped_at",
    "calls_completed",
    "rating_sum",
    "rating_count",
    "declines",
    "standing",
    "refreshed_at",
)
# The SELECT's names, in the order of ("contact_id", *COLUMNS).
SELECTED = (
    "seg_contact",
    "seg_account",
    "seg_industry",
    "seg_region",
    "seg_size_band",
    "seg_products",
    "seg_use_cases",
    *COLUMNS[6:],
)
# A NULL the INSERT ... SELECT can store in a timestamp column: PostgreSQL types a bare NULL
# parameter of a derived table as text.
NO_MOMENT = Cast(Value(None), output_field=DateTimeField())
# Rest (rotation, seed 002: "who's been tapped recently, who's burned out"): days since the
# latest tap of any effort -> points. Never tapped counts as fully rested.
REST_POINTS = ((180, 3), (90, 2), (30, 1))


def reference_type() -> AskType:
    return AskType.objects.get(code=ASK_TYPE)


def time_bound(cond: Condition) -> tuple[str, int] | None:
    """(field, days) when `cond` is one `within_days` leaf: an exclusion that lapses by itself."""
    if cond.get("op") == "within_days" and "field" in cond:
        return str(cond["field"]), int(cond["value"])
    return None


def _int_subquery(qs: QuerySet[Any], expression: Any) -> Coalesce:
    counted = qs.order_by().values("contact").annotate(n=expression).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def rest_points(field: str, now: datetime) -> Case:
    whens = [When(**{f"{field}__isnull": True}, then=Value(REST_POINTS[0][1]))]
    whens += [
        When(**{f"{field}__lte": now - timedelta(days=days)}, then=Value(points))
        for days, points in REST_POINTS
    ]
    return Case(*whens, default=Value(0), output_field=IntegerField())


def outcome_points() -> Any:
    """+1 with a call held, +1 with an average rating of 4 or more, -1 after 2+ declines."""
    held = Case(When(calls_completed__gte=1, then=Value(1)), default=Value(0))
    rated = Case(
        When(Q(rating_count__gte=1) & Q(rating_sum__gte=F("rating_count") * 4), then=Value(1)),
        default=Value(0),
    )
    declined = Case(When(declines__gte=2, then=Value(-1)), default=Value(0))
    return held + rated + declined


def pool_rows(contacts: QuerySet[Contact], now: datetime, policy: Policy) -> QuerySet[Any]:
    ask_type = reference_type()
    lasting: list[Any] = []
    bounded: list[tuple[str, int]] = []
    rules = requirements(policy, ask_type)
    for rule in rules:
        if not rule.blocks or rule.holds:  # a hold asks for approval: the desk's offer is it
            continue
        tb = time_bound(rule.condition)
        if tb is None:
            lasting.append(When(compile_condition(rule.condition, now), then=Value(False)))
        else:
            bounded.append(tb)
    ready = Case(*lasting, default=Value(True), output_field=BooleanField())
    quiet: Any = NO_MOMENT
    if bounded:
        field, days = bounded[0]  # the policy has one (recent tickets); more would be Greatest
        quiet = ExpressionWrapper(F(field) + timedelta(days=days), output_field=DateTimeField())
    claims = TapClaim.objects.filter(contact=OuterRef("pk"))
    calls = ReferenceCall.objects.filter(contact=OuterRef("pk"), outcome=CallOutcome.HELD)
    rated = calls.filter(rating__isnull=False)
    declines = Offer.objects.filter(contact=OuterRef("pk"), status="declined")
    qs = with_profile(contacts, now, policy)
    for rule in rules:
        if not rule.blocks:  # the gate, the type's prerequisites, the stage
            qs = qs.filter(compile_condition(rule.condition, now))
    efforts = covering(ask_type, policy)
    window: Any = NO_MOMENT
    if efforts:
        window = Subquery(
            claims.filter(effort__in=efforts, next_allowed_at__isnull=False)
            .order_by("-next_allowed_at")
            .values("next_allowed_at")[:1]
        )
    qs = qs.annotate(
        seg_contact=F("pk"),
        seg_account=F("account_id"),
        seg_industry=Lower("account__industry"),
        seg_region=F("account__region"),
        seg_size_band=F("account__size_band"),
        seg_products=F("account__products"),
        seg_use_cases=F("account__use_cases"),
        ready=ready,
        quiet_until=quiet,
        next_allowed_at=window,
        last_tapped_at=Subquery(
            claims.filter(last_tapped_at__isnull=False)
            .order_by("-last_tapped_at")
            .values("last_tapped_at")[:1]
        ),
        calls_completed=_int_subquery(calls, Count("id")),
        rating_sum=_int_subquery(rated, Sum("rating")),
        rating_count=_int_subquery(rated, Count("id")),
        declines=_int_subquery(declines, Count("id")),
        refreshed_at=Value(now, output_field=DateTimeField()),
    ).annotate(standing=rest_points("last_tapped_at", now) + outcome_points())
    return qs.values(*SELECTED)


@transaction.atomic
def refresh_pool(
    *,
    now: datetime,
    contact_ids: Iterable[int] | None = None,
    policy: Policy = DEFAULT_POLICY,
    chunk: int = 20_000,
) -> int:
    """Rewrite the pool rows of the given contacts (all when None); returns how many are in it."""
    q = connection.ops.quote_name
    table = q(ReferenceAdvocate._meta.db_table)
    cols = ", ".join(q(c) for c in ("contact_id", *COLUMNS))
    picked = ", ".join(f"p.{q(c)}" for c in SELECTED)
    ids = None if contact_ids is None else sorted(set(contact_ids))
    if ids is None:
        top = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        batches = [
            Contact.objects.filter(pk__gte=lo, pk__lt=lo + chunk).order_by()
            for lo in range(0, top + 1, chunk)
        ]
    else:
        batches = [
            Contact.objects.filter(pk__in=ids[i : i + chunk]).order_by()
            for i in range(0, len(ids), chunk)
        ]
    written = 0
    with connection.cursor() as cursor:
        for batch in batches:
            inner, params = batch.values("pk").query.sql_with_params()
            cursor.execute(f"DELETE FROM {table} WHERE contact_id IN ({inner})", params)
            sql, params = pool_rows(batch, now, policy).query.sql_with_params()
            # "WHERE true" settles SQLite's parsing of INSERT ... SELECT ... ON CONFLICT; the
            # conflict clause covers a concurrent refresh of the same contacts.
            updates = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in COLUMNS)
            cursor.execute(
                f"INSERT INTO {table} ({cols}) SELECT {picked} FROM ({sql}) AS p WHERE true "
                f"ON CONFLICT (contact_id) DO UPDATE SET {updates}",
                params,
            )
            written += cursor.rowcount if cursor.rowcount and cursor.rowcount > 0 else 0
    return written


@transaction.atomic
def refresh_changed(*, now: datetime, policy: Policy = DEFAULT_POLICY) -> dict[str, Any]:
    """The periodic job: the contacts touched by signals after the pool's watermark, or every
    contact once a day (prerequisites that come true with time, like tenure, are caught then)."""
    PoolState.objects.bulk_create([PoolState(pk=1)], ignore_conflicts=True)
    state = PoolState.objects.select_for_update().get(pk=1)
    top = Signal.objects.order_by("-id").values_list("id", flat=True).first() or 0
    full = state.full_at is None or state.full_at <= now - FULL_EVERY
    if full:
        count = refresh_pool(now=now, policy=policy)
        state.full_at = now
    else:
        changed = list(contacts_changed_since(state.watermark).values_list("pk", flat=True))
        count = refresh_pool(now=now, contact_ids=changed, policy=policy)
    state.watermark = top
    state.save(update_fields=["watermark", "full_at"])
    return {"full": full, "rows": count, "watermark": top}
