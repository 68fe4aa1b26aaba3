"""A contact's profile as of any moment, as database expressions.

Every column is a correlated subquery on the signal log, driven by the (contact, kind,
occurred_at) or (account, kind, occurred_at) index and cut at `now`, so the same expressions serve
evaluation today, replay over history, and the explanation of a single contact. Stage and ladder
rung are CASE expressions over those columns with the thresholds of the policy.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from advocacy.customers.models import Contact
from advocacy.engine.policy import DEFAULT_POLICY, Policy
from advocacy.engine.reciprocity import balance as reciprocity_balance
from advocacy.signals.models import ADVOCACY_ACTIVITY_KINDS, Signal, SignalKind

K = SignalKind
ACTIVITY_KINDS = (K.ACTIVITY, K.USAGE_MILESTONE)
ADVOCACY_KINDS = ADVOCACY_ACTIVITY_KINDS


def _contact_signals(kind: str | tuple[str, ...], now: datetime) -> QuerySet[Signal]:
    kinds = {"kind": kind} if isinstance(kind, str) else {"kind__in": kind}
    return Signal.objects.filter(contact=OuterRef("pk"), occurred_at__lte=now, **kinds)


def _account_signals(kind: str, now: datetime, ref: str = "account_id") -> QuerySet[Signal]:
    return Signal.objects.filter(account=OuterRef(ref), kind=kind, occurred_at__lte=now)


def _latest(qs: QuerySet[Signal], column: str, output: Any) -> Subquery:
    return Subquery(qs.order_by("-occurred_at", "-id").values(column)[:1], output_field=output)


def _count(qs: QuerySet[Signal], by: str) -> Coalesce:
    """How many rows: grouped by the outer reference (`contact` or `account`), so one row."""
    counted = qs.order_by().values(by).annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# The columns that are the account's, not the contact's: read once per account by the
# refresh of many profiles (advocacy.engine.state), once per contact everywhere else.
ACCOUNT_COLUMNS = (
    "health",
    "last_milestone_at",
    "open_tickets",
    "last_ticket_at",
    "last_renewal_at",
    "last_expansion_at",
    "last_result_at",
)


def account_annotations(now: datetime, ref: str = "account_id") -> dict[str, Any]:
    """The account-level columns (`ACCOUNT_COLUMNS`) as of `now`, over a queryset whose `ref`
    is the account's id: `account_id` for contacts, `pk` for accounts."""
    at = DateTimeField()

    def signals(kind: str) -> QuerySet[Signal]:
        return _account_signals(kind, now, ref)

    return {
        "health": _latest(signals(K.HEALTH_SCORE), "value", FloatField()),
        "last_milestone_at": _latest(signals(K.USAGE_MILESTONE), "occurred_at", at),
        "open_tickets": _count(signals(K.TICKET_OPENED), "account")
        - _count(signals(K.TICKET_CLOSED), "account"),
        "last_ticket_at": _latest(signals(K.TICKET_OPENED), "occurred_at", at),
        "last_renewal_at": _latest(signals(K.RENEWAL), "occurred_at", at),
        "last_expansion_at": _latest(signals(K.EXPANSION), "occurred_at", at),
        "last_result_at": _latest(signals(K.RESULT_SHARED), "occurred_at", at),
    }


def contact_annotations(now: datetime) -> dict[str, Any]:
    """The columns read from the contact's own signals and row, and its account's row, as of
    `now`: every profile column but the account-level lookups."""
    at = DateTimeField()
    year_ago = now - timedelta(days=365)
    return {
        "nps": _latest(_contact_signals(K.NPS, now), "value", FloatField()),
        "nps_at": _latest(_contact_signals(K.NPS, now), "occurred_at", at),
        "csat": _latest(_contact_signals(K.CSAT, now), "value", FloatField()),
        "customer_since": F("account__customer_since"),
        "last_activity_at": _latest(_contact_signals(ACTIVITY_KINDS, now), "occurred_at", at),
        "last_nomination_at": _latest(_contact_signals(K.CSM_NOMINATION, now), "occurred_at", at),
        "activities_12m": _count(
            _contact_signals(ADVOCACY_KINDS, now).filter(occurred_at__gte=year_ago), "contact"
        ),
        # Given minus asked in 12 months (advocacy.engine.reciprocity): give before ask.
        "reciprocity": reciprocity_balance(now),
        "industry": F("account__industry"),
        "region": F("account__region"),
        "size_band": F("account__size_band"),
        "employees": F("account__employees"),
        "arr": F("account__arr"),
        "nda": F("account__nda"),
        "sensitive_industry": F("account__sensitive_industry"),
        "competitor_adjacent": F("account__competitor_adjacent"),
        "churn_risk": F("account__churn_risk"),
        "has_csm": Case(
            When(account__owner_id__isnull=False, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "opted_out": Exists(Contact.objects.filter(pk=OuterRef("pk"), opted_out_at__lte=now)),
        "left_company": Exists(Contact.objects.filter(pk=OuterRef("pk"), left_company_at__lte=now)),
    }


def base_annotations(now: datetime) -> dict[str, Any]:
    """Profile columns read straight from the signal log and the account, as of `now`."""
    return {**contact_annotations(now), **account_annotations(now)}


def derived_annotations(now: datetime, policy: Policy = DEFAULT_POLICY) -> dict[str, Any]:
    """Lifecycle stage (seed 000) and ladder rung (seed 001) over the base columns."""
    p = policy
    days = lambda n: now - timedelta(days=n)  # noqa: E731
    stage = Case(
        When(
            Q(customer_since__lte=days(p.mature_tenure_days).date())
            & Q(health__gte=p.mature_health_min)
            & Q(nps__gte=p.nps_min)
            & Q(nps_at__gte=days(365)),
            then=Value("mature"),
        ),
        When(
            Q(last_expansion_at__gte=days(p.expansion_window_days))
            | Q(last_renewal_at__gte=days(p.expansion_window_days))
            | Q(last_result_at__gte=days(p.expansion_window_days)),
            then=Value("expansion"),
        ),
        When(
            Q(customer_since__lte=days(p.activation_days).date())
            & (
                Q(last_activity_at__gte=days(p.active_within_days))
                | Q(last_milestone_at__isnull=False)
            ),
            then=Value("engagement"),
        ),
        default=Value("activation"),
        output_field=CharField(),
    )
    satisfied = Q(nps__gte=p.satisfied_nps_min) | Q(health__gte=p.satisfied_health_min)
    rung = Case(
        When(activities_12m__gte=p.ambassador_activities, then=Value("ambassador")),
        When(activities_12m__gte=p.champion_activities, then=Value("champion")),
        When(
            Q(activities_12m__gte=1) | Q(last_nomination_at__gte=days(365)),
            then=Value("advocate"),
        ),
        When(
            satisfied
            & Q(nps_at__gte=days(p.nps_fresh_days))
            & Q(last_activity_at__gte=days(p.active_within_days)),
            then=Value("engaged"),
        ),
        When(satisfied, then=Value("satisfied")),
        default=Value("none"),
        output_field=CharField(),
    )
    return {"stage": stage, "rung": rung}


def with_profile(
    queryset: QuerySet[Contact] | None, now: datetime, policy: Policy = DEFAULT_POLICY
) -> QuerySet[Contact]:
    """Annotate contacts with their whole profile as of `now`."""
    qs = Contact.objects.all() if queryset is None else queryset
    return qs.annotate(**base_annotations(now)).annotate(**derived_annotations(now, policy))


PROFILE_COLUMNS = (
    "nps",
    "nps_at",
    "csat",
    "health",
    "customer_since",
    "last_activity_at",
    "last_milestone_at",
    "open_tickets",
    "last_ticket_at",
    "last_renewal_at",
    "last_expansion_at",
    "last_result_at",
    "last_nomination_at",
    "activities_12m",
    "stage",
    "rung",
)
