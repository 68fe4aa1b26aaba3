"""What an insight email says, from the account's own signals: adoption, milestones, health.

    account_insights(account_ids, span) -> {account_id: payload}   three queries, any count
    own_activity(contact_ids, span) -> {contact_id: (this period, the one before)}
    sentences(payload) -> list[str]                                the email's lines

A payload is plain JSON (it is stored on the outbox row, so every attempt and every look at a
sent email shows the same numbers):

    period, period_words, before_words      "2026-11", "November 2026", "October 2026"
    company
    people, people_before                   people active (product activity or a usage
                                            milestone) in the period and in the one before
    activities, activities_before           product activity signals, the same two periods
    milestones                              [{"on": "2026-11-04", "text": "..."}], in order
    health, health_before                   the latest health score at the end of each period
                                            (None: none recorded by then)
    own, own_before                         (weekly only) the reader's own activity counts
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Count, FloatField, OuterRef, Q, Subquery

from advocacy.customers.models import Account
from advocacy.signals.models import Signal, SignalKind
from advocacy.value.periods import Span

K = SignalKind
ACTIVE_KINDS = (K.ACTIVITY, K.USAGE_MILESTONE)  # what the engine counts as active, too
MILESTONES_SHOWN = 10


def _latest_health(before: Any) -> Subquery:
    rows = Signal.objects.filter(
        account=OuterRef("pk"), kind=K.HEALTH_SCORE, occurred_at__lt=before
    ).order_by("-occurred_at", "-id")
    return Subquery(rows.values("value")[:1], output_field=FloatField())


def _number(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def account_insights(account_ids: Iterable[int], span: Span) -> dict[int, dict[str, Any]]:
    """The payload of each account for `span`: one query for the counts, one for the
    milestones, one for the accounts and their health."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    before = span.before()
    now_q, then_q = Q(occurred_at__gte=span.start), Q(occurred_at__lt=span.start)
    counts = {
        row["account_id"]: row
        for row in Signal.objects.filter(
            account_id__in=ids,
            kind__in=ACTIVE_KINDS,
            occurred_at__gte=before.start,
            occurred_at__lt=span.end,
        )
        .order_by()
        .values("account_id")
        .annotate(
            activities=Count("id", filter=now_q & Q(kind=K.ACTIVITY)),
            activities_before=Count("id", filter=then_q & Q(kind=K.ACTIVITY)),
            people=Count("contact_id", distinct=True, filter=now_q),
            people_before=Count("contact_id", distinct=True, filter=then_q),
        )
    }
    milestones: dict[int, list[dict[str, str]]] = {}
    for account_id, at, text in (
        Signal.objects.filter(
            account_id__in=ids,
            kind=K.USAGE_MILESTONE,
            occurred_at__gte=span.start,
            occurred_at__lt=span.end,
        )
        .order_by("account_id", "occurred_at", "id")
        .values_list("account_id", "occurred_at", "text")
    ):
        found = milestones.setdefault(account_id, [])
        if len(found) < MILESTONES_SHOWN:
            found.append({"on": f"{at:%Y-%m-%d}", "text": (text or "").strip()})
    payloads: dict[int, dict[str, Any]] = {}
    for pk, name, health, health_before in (
        Account.objects.filter(pk__in=ids)
        .annotate(h=_latest_health(span.end), hb=_latest_health(span.start))
        .values_list("pk", "name", "h", "hb")
    ):
        row: dict[str, Any] = dict(counts.get(pk, {}))
        payloads[pk] = {
            "period": span.label,
            "period_words": span.words,
            "before_words": before.words,
            "unit": span.unit,
            "company": name,
            "people": int(row.get("people", 0)),
            "people_before": int(row.get("people_before", 0)),
            "activities": int(row.get("activities", 0)),
            "activities_before": int(row.get("activities_before", 0)),
            "milestones": milestones.get(pk, []),
            "health": _number(health),
            "health_before": _number(health_before),
        }
    return payloads


def own_activity(contact_ids: Iterable[int], span: Span) -> dict[int, tuple[int, int]]:
    """Each person's own active signals in `span` and in the period before: one query."""
    ids = sorted(set(contact_ids))
    before = span.before()
    rows = (
        Signal.objects.filter(
            contact_id__in=ids,
            kind__in=ACTIVE_KINDS,
            occurred_at__gte=before.start,
            occurred_at__lt=span.end,
        )
        .order_by()
        .values("contact_id")
        .annotate(
            own=Count("id", filter=Q(occurred_at__gte=span.start)),
            own_before=Count("id", filter=Q(occurred_at__lt=span.start)),
        )
    )
    return {r["contact_id"]: (int(r["own"]), int(r["own_before"])) for r in rows}


def _compare(now: float, before: float, words: str) -> str:
    if now > before:
        return f"up from {_show(before)} in {words}" if before else f"up from none in {words}"
    if now < before:
        return f"down from {_show(before)} in {words}"
    return f"the same as in {words}"


def _show(value: float) -> str:
    return f"{value:g}"


def _this(unit: str) -> str:
    return {"month": "this month", "week": "this week", "year": "this year"}.get(unit, "")


def sentences(payload: dict[str, Any]) -> list[str]:
    """The lines an insight email says, in order (milestones are listed apart)."""
    product = settings.PRODUCT_NAME
    this, words = _this(payload["unit"]), payload["before_words"]
    people, people_before = payload["people"], payload["people_before"]
    lines = [
        f"{people} {'person' if people == 1 else 'people'} at {payload['company']} used "
        f"{product} {this}, {_compare(people, people_before, words)}.",
        f"{payload['activities']} product "
        f"{'activity' if payload['activities'] == 1 else 'activities'} recorded {this}, "
        f"{_compare(payload['activities'], payload['activities_before'], words)}.",
    ]
    if "own" in payload:
        own = payload["own"]
        lines.append(
            f"You: {own} {'activity' if own == 1 else 'activities'} {this}, "
            f"{_compare(own, payload['own_before'], words)}."
        )
    health, health_before = payload["health"], payload["health_before"]
    if health is not None:
        if health_before is None:
            lines.append(f"Account health: {_show(health)}.")
        elif health == health_before:
            lines.append(f"Account health: steady at {_show(health)}.")
        else:
            way = "up" if health > health_before else "down"
            lines.append(f"Account health: {_show(health)}, {way} from {_show(health_before)}.")
    if not payload["milestones"]:
        lines.append(f"No new milestone {this}.")
    return lines


def milestone_lines(payload: dict[str, Any]) -> list[str]:
    """`4 Nov 2026: 100 dashboards built`, one per milestone of the period."""
    from datetime import date

    found = []
    for m in payload["milestones"]:
        day = date.fromisoformat(m["on"])
        found.append(f"{day.day} {day:%b %Y}: {m['text'] or 'a usage milestone'}")
    return found
