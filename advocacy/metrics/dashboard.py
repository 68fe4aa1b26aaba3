"""The dashboard's data: trends by month, the funnel, the ladder, fill rate by segment.

Plain numbers only (the web layer draws them): each series comes from one grouped query, and
every chart has a table of the same numbers (`dashboard_tables`), which is also its CSV export.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from advocacy.metrics.catalogue import BY_CODE
from advocacy.metrics.periods import Period, month_period
from advocacy.metrics.queries import ACTIVITY_KINDS, FUNNEL, RUNGS, Evaluation, monthly
from advocacy.pipeline.models import Ask, AskEvent
from advocacy.signals.models import Signal

TREND_MONTHS = 12
TREND_SERIES = (
    ("review_published", "Reviews"),
    ("referral_status", "Referrals"),
    ("reference_completed", "Reference calls"),
)
ASK_SERIES = (("opened", "Asks opened"), ("published", "Asks published"))
RUNG_LABELS = {
    "none": "None",
    "satisfied": "Satisfied",
    "engaged": "Engaged",
    "advocate": "Advocate",
    "champion": "Champion",
    "ambassador": "Ambassador",
}
FUNNEL_LABELS = {s: s.capitalize() for s in FUNNEL}


@dataclass(frozen=True)
class Trend:
    months: list[datetime]  # first instant of each month, oldest first
    series: list[tuple[str, str]]  # (key, label)
    counts: list[dict[str, int]]  # per month: key -> count


def trend_months(end: datetime, count: int = TREND_MONTHS) -> list[Period]:
    """The `count` calendar months up to the one holding the last instant before `end`."""
    last = timezone.localtime(end - timedelta(microseconds=1))
    index = last.year * 12 + last.month - 1
    return [month_period(i // 12, i % 12 + 1) for i in range(index - count + 1, index + 1)]


def _span(ev: Evaluation) -> tuple[list[Period], datetime, datetime]:
    months = trend_months(ev.period.end)
    return months, months[0].start, months[-1].end


def _index(rows: list[dict[str, Any]], key: str, months: list[Period]) -> list[dict[str, int]]:
    starts = {m.start: i for i, m in enumerate(months)}
    counts: list[dict[str, int]] = [{} for _ in months]
    for row in rows:
        month = row["month"]
        if month is None:
            continue
        if timezone.is_naive(month):
            month = timezone.make_aware(month)
        i = starts.get(month)
        if i is not None:
            counts[i][row[key]] = counts[i].get(row[key], 0) + row["n"]
    return counts


def activity_trend(ev: Evaluation) -> Trend:
    """Reviews, referrals and reference calls per month over the last twelve: one query."""
    months, start, end = _span(ev)
    signals = Signal.objects.filter(
        ev.segment.q(contact="contact__", account="account__"),
        kind__in=ACTIVITY_KINDS,
        occurred_at__gte=start,
        occurred_at__lt=end,
    )
    counts = _index(monthly(signals, "occurred_at", "kind"), "kind", months)
    return Trend([m.start for m in months], list(TREND_SERIES), counts)


def ask_trend(ev: Evaluation) -> Trend:
    """Asks opened and asks published per month over the last twelve: two queries."""
    months, start, end = _span(ev)
    seg = ev.segment.q(contact="contact__", account="contact__account__")
    opened = Ask.objects.filter(seg, opened_at__gte=start, opened_at__lt=end)
    published = AskEvent.objects.filter(
        ev.segment.q(contact="ask__contact__", account="ask__contact__account__"),
        to_status="published",
        at__gte=start,
        at__lt=end,
    )
    a = _index(monthly(opened, "opened_at", "status"), "status", months)
    b = _index(monthly(published, "at", "to_status"), "to_status", months)
    counts = [
        {"opened": sum(x.values()), "published": y.get("published", 0)}
        for x, y in zip(a, b, strict=True)
    ]
    return Trend([m.start for m in months], list(ASK_SERIES), counts)


def ladder(ev: Evaluation) -> list[tuple[str, str, int]]:
    """Reachable contacts per rung of the ladder, lowest first."""
    return [(rung, RUNG_LABELS[rung], ev.population[f"rung_{rung}"]) for rung in RUNGS]


def funnel(ev: Evaluation) -> list[tuple[str, str, int]]:
    return [(stage, FUNNEL_LABELS[stage], ev.funnel[stage]) for stage in FUNNEL]


def fill_rate_available() -> bool:
    return BY_CODE["reference_fill_rate"].available


def dashboard_tables(ev: Evaluation) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The tables behind the dashboard's charts, by name (each also a CSV export)."""
    activity, asks = activity_trend(ev), ask_trend(ev)
    return {
        "trend": (
            ["month", *(k for k, _ in activity.series)],
            [[m.strftime("%Y-%m"), *(c.get(k, 0) for k, _ in activity.series)]
             for m, c in zip(activity.months, activity.counts, strict=True)],
        ),
        "ask_trend": (
            ["month", *(k for k, _ in asks.series)],
            [[m.strftime("%Y-%m"), *(c.get(k, 0) for k, _ in asks.series)]
             for m, c in zip(asks.months, asks.counts, strict=True)],
        ),
        "ladder": (["rung", "contacts"], [[key, n] for key, _, n in ladder(ev)]),
        "funnel": (["stage", "asks"], [[key, n] for key, _, n in funnel(ev)]),
    }  # fmt: skip
