"""An advocate's tier as of any moment, for one contact or a million, in one SQL statement.

Each requirement of the policy compiles to one annotation (a grouped count or an EXISTS over the
ask log, the latest NPS answer) and one condition; the tier is a CASE over the ladder, highest
first. The same annotations give the reasons shown for one advocate, so the tier and its
explanation cannot drift apart.

Activities are asks that completed (an `AskEvent` into completed) within the period holding
`as_of`: the calendar quarter, the year, or ever. Tenure is the account's `customer_since`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from advocacy.customers.models import Contact
from advocacy.pipeline.agreements import Agreement
from advocacy.pipeline.models import AskEvent, AskStatus
from advocacy.rewards.policy import Tier, TierPolicy
from advocacy.signals.models import Signal, SignalKind


def quarter_of(at: datetime | date) -> str:
    return f"{at.year}Q{(at.month - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[datetime, datetime]:
    """[start, end) of a quarter written 2026Q4, in UTC."""
    try:
        year, q = int(quarter[:4]), int(quarter[5:])
        if quarter[4] != "Q" or not 1 <= q <= 4 or len(quarter) != 6 or not 1000 <= year < 3000:
            raise ValueError
    except (ValueError, IndexError):
        raise ValueError(f"expected a quarter such as 2026Q4, found {quarter!r}") from None
    start = datetime(year, 3 * q - 2, 1, tzinfo=UTC)
    end = (
        datetime(year + 1, 1, 1, tzinfo=UTC) if q == 4 else datetime(year, 3 * q + 1, 1, tzinfo=UTC)
    )
    return start, end


def period_start(period: str, at: datetime) -> datetime | None:
    if period == "quarter":
        return quarter_bounds(quarter_of(at))[0]
    if period == "year":
        return datetime(at.year, 1, 1, tzinfo=UTC)
    return None


def _months_before(day: date, months: int) -> date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def annotate_tiers(
    contacts: QuerySet[Contact],
    policy: TierPolicy,
    as_of: datetime,
    *,
    excluding: Sequence[int] = (),
) -> Any:
    """`contacts` with `tier_level` (0: none) and the columns each requirement reads (typed
    Any: the stubs cannot see annotations whose names come from the policy). `excluding`:
    asks left out, for the tier an advocate held just before they completed."""
    start = period_start(policy.period, as_of)

    def _events(status: str, as_of: datetime, start: datetime | None) -> QuerySet[AskEvent]:
        qs = AskEvent.objects.filter(ask__contact=OuterRef("pk"), to_status=status, at__lte=as_of)
        if excluding:
            qs = qs.exclude(ask_id__in=list(excluding))
        return qs.filter(at__gte=start) if start is not None else qs

    columns: dict[str, Any] = {}
    need = {key for tier in policy.tiers for key in tier.requires}
    if "activities" in need:
        # A grouped join, not a correlated subquery: PostgreSQL runs a scalar subquery once per
        # contact, but hashes a join once for them all.
        done = Q(asks__events__to_status=AskStatus.COMPLETED, asks__events__at__lte=as_of)
        if start is not None:
            done &= Q(asks__events__at__gte=start)
        if excluding:
            done &= ~Q(asks__id__in=list(excluding))
        columns["activities"] = Count("asks__events", filter=done)
    if "nps_at_least" in need:
        nps = Signal.objects.filter(
            contact=OuterRef("pk"), kind=SignalKind.NPS, occurred_at__lte=as_of
        )
        latest = nps.order_by("-occurred_at", "-id").values("value")[:1]
        columns["nps"] = Subquery(latest, output_field=FloatField())
    if "active_agreement" in need:
        columns["agreement"] = Exists(
            Agreement.objects.in_force(as_of.date()).filter(
                contact=OuterRef("pk"), signed_on__lte=as_of.date()
            )
        )
    for tier in policy.tiers:
        types = tier.requires.get("ask_types")
        if types:
            columns[f"types_{tier.level}"] = Exists(
                _events(AskStatus.COMPLETED, as_of, start).filter(ask__ask_type__code__in=types)
            )
        published = tier.requires.get("published_ask_types")
        if published:
            columns[f"published_{tier.level}"] = Exists(
                _events(AskStatus.PUBLISHED, as_of, None).filter(ask__ask_type__code__in=published)
            )
    qs = contacts.annotate(**columns)
    # A ladder: each tier is reached only on top of the one below, so the levels nest and each
    # condition is written once (a flat CASE would repeat every lower tier's condition, and
    # with it each correlated subquery, in every higher tier's branch).
    tiers = list(policy.tiers)
    level: Any = Value(0)
    for i in range(len(tiers) - 1, -1, -1):
        reached = Value(tiers[i].level) if i == len(tiers) - 1 else level
        level = Case(
            When(_condition(tiers[i], as_of), then=reached),
            default=Value(tiers[i - 1].level if i > 0 else 0),
            output_field=IntegerField(),
        )
    return qs.annotate(tier_level=level)


def _condition(tier: Tier, as_of: datetime) -> Q:
    q = Q()
    for key, value in tier.requires.items():
        if key == "activities":
            q &= Q(activities__gte=value)
        elif key == "ask_types":
            q &= Q(**{f"types_{tier.level}": True})
        elif key == "published_ask_types":
            q &= Q(**{f"published_{tier.level}": True})
        elif key == "nps_at_least":
            q &= Q(nps__gte=value)
        elif key == "tenure_months":
            q &= Q(account__customer_since__lte=_months_before(as_of.date(), value))
        elif key == "active_agreement":
            q &= Q(agreement=value)
    return q


@dataclass(frozen=True)
class Reason:
    tier: str
    met: bool
    text: str


@dataclass(frozen=True)
class Standing:
    contact_id: int
    level: int
    tier: str  # the tier's name, "No tier" below the first
    reasons: tuple[Reason, ...]


def _reasons(row: Contact, policy: TierPolicy, as_of: datetime) -> list[Reason]:
    period = {"quarter": "this quarter", "year": "this year", "ever": "so far"}[policy.period]
    out = []
    for tier in policy.tiers:
        for key, value in tier.requires.items():
            if key == "activities":
                n = getattr(row, "activities", 0)
                met, text = n >= value, f"{n} activities {period} (needs {value})"
            elif key == "ask_types":
                met = bool(getattr(row, f"types_{tier.level}"))
                kinds = ", ".join(v.replace("_", " ") for v in value)
                text = f"{'a' if met else 'no'} completed {kinds} {period}"
            elif key == "published_ask_types":
                met = bool(getattr(row, f"published_{tier.level}"))
                kinds = ", ".join(v.replace("_", " ") for v in value)
                text = f"{'a' if met else 'no'} {kinds} published"
            elif key == "nps_at_least":
                nps = getattr(row, "nps", None)
                met = nps is not None and nps >= value
                shown = "no NPS answer" if nps is None else f"NPS {nps:g}"
                text = f"{shown} (needs {value:g} or more)"
            elif key == "tenure_months":
                since = row.account.customer_since
                met = since is not None and since <= _months_before(as_of.date(), value)
                shown = (
                    f"a customer since {since.isoformat()}" if since else "no customer-since date"
                )
                text = f"{shown} (needs {value} months)"
            else:
                met = bool(getattr(row, "agreement", False))
                text = "an advocacy agreement in force" if met else "no advocacy agreement in force"
            out.append(Reason(tier.name, met, text))
    return out


def standings(contacts: QuerySet[Contact], policy: TierPolicy, as_of: datetime) -> list[Standing]:
    """Each contact's tier with its reasons: one query for any number of contacts."""
    rows = annotate_tiers(contacts.select_related("account"), policy, as_of).order_by("pk")
    return [
        Standing(
            row.pk,
            row.tier_level,
            policy.name_of(row.tier_level),
            tuple(_reasons(row, policy, as_of)),
        )
        for row in rows
    ]


def levels(
    contact_ids: list[int], policy: TierPolicy, as_of: datetime, *, excluding: Sequence[int] = ()
) -> dict[int, int]:
    """{contact id: tier level} for these contacts as of a moment (one query)."""
    contacts = Contact.objects.filter(pk__in=contact_ids)
    qs = annotate_tiers(contacts, policy, as_of, excluding=excluding)
    return dict(qs.values_list("pk", "tier_level"))


def distribution(policy: TierPolicy, as_of: datetime) -> dict[int, int]:
    """How many contacts stand at each level (one grouped query over every contact)."""
    qs = annotate_tiers(Contact.objects.all(), policy, as_of).order_by().values("tier_level")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tier_level, COUNT(*) FROM ({sql}) ranked GROUP BY tier_level", params
        )
        return {int(level): int(n) for level, n in cursor.fetchall()}


def instant_before(at: datetime) -> datetime:
    return at - timedelta(microseconds=1)
