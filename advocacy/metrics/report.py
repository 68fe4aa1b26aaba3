"""Reports: the catalogue's numbers for a period and segment, as data, rows, CSV, HTML and PDF.

`build_report` gathers what the CLI (`advocacy report`), the API (`/api/metrics/report`), the
dashboard and the monthly advocacy council report all show, so they can never disagree. The
council report (seed 004, Govern: CS, Marketing, Sales and Product prioritise accounts, approve
themes and allocate capacity) adds the accounts to prioritise and the plays that do not convert.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from django.db.models import Count, Q
from django.template.loader import render_to_string

from advocacy.core import labels
from advocacy.customers.models import Account
from advocacy.engine.policy import Policy
from advocacy.metrics.catalogue import CATALOGUE, MetricValue, evaluate
from advocacy.metrics.formatting import format_value as format_value  # re-exported
from advocacy.metrics.periods import Period, PeriodError, Segment, month_period
from advocacy.metrics.queries import FUNNEL, MANUAL, TACTICS, Evaluation, Lift, ratio
from advocacy.metrics.scorecard import ScoreRow, scorecard

FUNNEL_DIMENSIONS = ("moment", "persona", "play", "channel")
PRIORITY_ACCOUNTS = 10
RETIRE_MIN_DECISIONS = 30  # a play is judged on at least this many asked decisions


# What the funnel's rows without a value read as, by dimension (an ask opened by hand has no
# play and no moment).
UNSET = {"play": "Asked by hand", "moment": "Asked by hand", "persona": "No persona"}


def play_titles(lifts: Iterable[Lift]) -> dict[str, str]:
    """The plays' titles by name, as the lifts read them (every play that decided in the
    period, so every play that opened an ask in it)."""
    return {lift.play: lift.title for lift in lifts if lift.title}


def funnel_label(dimension: str, key: str, titles: dict[str, str]) -> str:
    if key == MANUAL:
        return UNSET.get(dimension, "None")
    return labels.label(key, dimension, titles if dimension == "play" else None)


@dataclass(frozen=True)
class FunnelRow:
    key: str
    stages: dict[str, int]
    label: str = ""

    def rate(self, to: str, frm: str) -> float | None:
        return ratio(self.stages.get(to, 0), self.stages.get(frm, 0))

    @property
    def accept_rate(self) -> float | None:
        return self.rate("accepted", "sent")

    @property
    def publish_rate(self) -> float | None:
        return self.rate("published", "sent")


@dataclass(frozen=True)
class TacticRow:
    code: str
    label: str
    sent: int
    accepted: int
    expected: tuple[int, int] | None

    @property
    def rate(self) -> float | None:
        return ratio(self.accepted, self.sent)

    @property
    def verdict(self) -> str:
        if self.rate is None or self.expected is None:
            return ""
        lo, hi = self.expected
        return "below" if self.rate < lo else "above" if self.rate > hi else "within"


@dataclass
class Report:
    period: Period
    segment: Segment
    now: datetime
    evaluation: Evaluation
    values: list[MetricValue]
    scorecard: list[ScoreRow]
    funnels: dict[str, list[FunnelRow]] = field(default_factory=dict)

    @property
    def lifts(self) -> list[Lift]:
        return self.evaluation.lifts

    @cached_property
    def play_titles(self) -> dict[str, str]:
        """Each play's title by its name, for the tables that list plays: read with the lifts,
        no query of its own (a play with no decision in the period reads as its name's words)."""
        return play_titles(self.lifts)

    def play_label(self, name: str) -> str:
        return funnel_label("play", name or MANUAL, self.play_titles)

    @property
    def tactics(self) -> list[TacticRow]:
        counts = self.evaluation.tactics
        rows = [
            TacticRow(code, label, counts.get(code, {}).get("sent", 0),
                      counts.get(code, {}).get("accepted", 0), expected)
            for code, label, _, expected in TACTICS
        ]  # fmt: skip
        other = counts.get("other")
        if other:
            rows.append(TacticRow("other", "Other", other["sent"], other["accepted"], None))
        return rows

    @property
    def send_window(self) -> dict[str, int]:
        """Asks opened in the period that had a send-by moment, and those that missed it."""
        return self.evaluation.send_window

    @property
    def behind(self) -> list[ScoreRow]:
        return [row for row in self.scorecard if row.is_behind]


def build_report(
    period: Period,
    segment: Segment,
    *,
    now: datetime,
    policy: Policy,
    dimensions: Sequence[str] = FUNNEL_DIMENSIONS,
) -> Report:
    ev = Evaluation(period, segment, now=now, policy=policy)
    titles = play_titles(ev.lifts) if "play" in dimensions else {}
    funnels = {
        dim: [
            FunnelRow(key, stages, funnel_label(dim, key, titles))
            for key, stages in ev.funnel_by(dim).items()
        ]
        for dim in dimensions
    }
    return Report(
        period=period,
        segment=segment,
        now=now,
        evaluation=ev,
        values=evaluate(ev),
        scorecard=scorecard(now=now, policy=policy, segment=segment, shown=ev),
        funnels=funnels,
    )


def value_dict(mv: MetricValue) -> dict[str, Any]:
    m = mv.metric
    return {
        "code": m.code,
        "name": m.name,
        "group": m.group,
        "formula": m.formula,
        "unit": m.unit,
        "seed": m.seed,
        "available": m.available,
        "needs": m.needs,
        "value": None if mv.value is None else round(mv.value, 4),
        "numerator": mv.numerator,
        "denominator": mv.denominator,
    }


def lift_dict(lift: Lift) -> dict[str, Any]:
    interval = lift.interval
    return {
        "play": lift.play,
        "asked": lift.asked,
        "asked_converted": lift.asked_converted,
        "held_out": lift.held_out,
        "held_out_converted": lift.held_out_converted,
        "asked_rate": lift.asked_rate,
        "held_out_rate": lift.held_out_rate,
        "lift": lift.lift,
        "interval_low": interval[0] if interval else None,
        "interval_high": interval[1] if interval else None,
    }


def report_dict(report: Report) -> dict[str, Any]:
    """The whole report as plain data (the CLI's --format json and the API's answer)."""
    return {
        "period": {
            "label": report.period.label,
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
        },
        "segment": report.segment.as_dict(),
        "metrics": [value_dict(v) for v in report.values],
        "scorecard": [row.as_dict() for row in report.scorecard],
        "funnels": {
            dim: [{"key": r.key, **{s: r.stages.get(s, 0) for s in FUNNEL}} for r in rows]
            for dim, rows in report.funnels.items()
        },
        "lift": [lift_dict(x) for x in report.lifts],
        "pipeline": {
            "with_send_window": report.send_window["with_window"],
            "missed_send_window": report.send_window["missed"],
        },
        "tactics": [
            {
                "tactic": t.code,
                "label": t.label,
                "sent": t.sent,
                "accepted": t.accepted,
                "rate": t.rate,
                "expected_low": t.expected[0] if t.expected else None,
                "expected_high": t.expected[1] if t.expected else None,
            }
            for t in report.tactics
        ],
    }


METRIC_COLUMNS = ("code", "name", "value", "unit", "numerator", "denominator", "available", "needs")


def metric_rows(values: Iterable[MetricValue]) -> list[list[Any]]:
    rows = []
    for mv in values:
        d = value_dict(mv)
        rows.append([d[c] for c in METRIC_COLUMNS])
    return rows


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return out.getvalue()


# --- the monthly advocacy council report --------------------------------------------------------


def priority_accounts(ev: Evaluation, limit: int = PRIORITY_ACCOUNTS) -> list[dict[str, Any]]:
    """Accounts with the most contacts ready for an ask now, then the most advocates: one query."""
    ready = ev.profiles().exclude(ready="")
    ids = ready.values("account_id").annotate(n=Count("pk")).order_by("-n", "account_id")[:limit]
    counts = {row["account_id"]: row["n"] for row in ids}
    accounts = Account.objects.filter(pk__in=list(counts)).annotate(
        advocates=Count(
            "contacts",
            filter=Q(contacts__profile__rung__in=("advocate", "champion", "ambassador")),
        )
    )
    rows = [
        {"account": a, "ready": counts[a.pk], "advocates": a.advocates}
        for a in accounts
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (-r["ready"], -r["advocates"], r["account"].name))


def plays_to_retire(lifts: Iterable[Lift]) -> list[Lift]:
    """Plays judged on enough decisions whose 95% interval does not reach above zero."""
    out = []
    for lift in lifts:
        interval = lift.interval
        if lift.asked >= RETIRE_MIN_DECISIONS and interval is not None and interval[1] <= 0:
            out.append(lift)
    return out


def council_period(month: str | None, *, now: datetime) -> Period:
    """The month named (YYYY-MM), or the last whole month before `now`."""
    if month:
        year, _, number = month.partition("-")
        if not (year.isdigit() and number.isdigit()):
            raise PeriodError(f"unknown month {month!r}: expected YYYY-MM")
        return month_period(int(year), int(number))
    previous = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    return month_period(*previous)


def council_context(period: Period, *, now: datetime, policy: Policy) -> dict[str, Any]:
    report = build_report(
        period, Segment(), now=now, policy=policy, dimensions=("moment", "persona")
    )
    return {
        "report": report,
        "values": [v for v in report.values if v.available],
        "unavailable": [m for m in CATALOGUE if not m.available],
        "priority": priority_accounts(report.evaluation),
        "retire": plays_to_retire(report.lifts),
        "generated_at": now,
    }


def council_html(period: Period, *, now: datetime, policy: Policy) -> str:
    return render_to_string("metrics/council.html", council_context(period, now=now, policy=policy))


# The steps of the council PDF, for its progress: the numbers, the HTML, the PDF.
COUNCIL_PDF_STEPS = 3


def council_pdf(
    period: Period,
    *,
    now: datetime,
    policy: Policy,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The council report as PDF (WeasyPrint renders the same HTML; no network is used);
    `progress(step, COUNCIL_PDF_STEPS)` after each step."""
    from weasyprint import HTML

    def step(done: int) -> None:
        if progress is not None:
            progress(done, COUNCIL_PDF_STEPS)

    context = council_context(period, now=now, policy=policy)
    step(1)
    html = render_to_string("metrics/council.html", context)
    step(2)
    pdf: bytes = HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    step(3)
    return pdf


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the council report loads nothing from outside: {url}")


def report_tables(report: Report) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The report's tables by name, each a header and rows of plain values."""
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {
        "metrics": (list(METRIC_COLUMNS), metric_rows(report.values)),
        "scorecard": (
            ["metric", "baseline", "target", "window", "cadence", "value", "progress", "status"],
            [
                [r.metric.code, r.entry.baseline, r.entry.target, r.entry.window,
                 r.entry.cadence, r.value, r.progress, r.status]
                for r in report.scorecard
            ],
        ),
        "lift": (
            list(lift_dict(Lift("", 0, 0, 0, 0))),
            [list(lift_dict(x).values()) for x in report.lifts],
        ),
        "tactics": (
            ["tactic", "sent", "accepted", "rate", "expected_low", "expected_high"],
            [
                [t.code, t.sent, t.accepted, t.rate,
                 t.expected[0] if t.expected else None, t.expected[1] if t.expected else None]
                for t in report.tactics
            ],
        ),
    }  # fmt: skip
    for dim, rows in report.funnels.items():
        tables[f"funnel_{dim}"] = (
            [dim, *FUNNEL, "accept_rate", "publish_rate"],
            [
                [r.key, *(r.stages.get(s, 0) for s in FUNNEL), r.accept_rate, r.publish_rate]
                for r in rows
            ],
        )
    return tables
