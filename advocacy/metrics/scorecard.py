"""The program scorecard: each chosen metric against its baseline and target, and what is behind.

A scorecard value is measured over its entry's trailing window (the last 30 or 90 days to
`now`), so "reviews 12 -> 25 a quarter" compares the reviews of the last quarter with 25.
Status, first match wins: `unavailable` (the metric needs a part not there yet), `no_target`
(the team has not set one: the value is shown, never judged), `no_data`, `met` (at or past the
target), `below_baseline` (worse than where the program started), `behind` (between the
baseline and the target, or short of the target when the baseline is unknown). Progress needs
both a baseline and a target; without them it is None (null in JSON), never a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max

from advocacy.engine.policy import Policy
from advocacy.metrics.catalogue import BY_CODE, WINDOW_DAYS, Metric, MetricValue, compute, metric
from advocacy.metrics.formatting import format_value
from advocacy.metrics.models import Cadence, ScorecardEntry, Window
from advocacy.metrics.periods import Period, Segment
from advocacy.metrics.queries import Evaluation

MET, BEHIND, BELOW, NO_DATA, UNAVAILABLE, NO_TARGET = (
    "met",
    "behind",
    "below_baseline",
    "no_data",
    "unavailable",
    "no_target",
)
NO_BASELINE_TEXT, NO_TARGET_TEXT = "no baseline", "no target"
STATUS_LABELS = {
    NO_TARGET: "No target set",
    MET: "Target met",
    BEHIND: "Behind target",
    BELOW: "Below baseline",
    NO_DATA: "No data in the window",
    UNAVAILABLE: "Not available yet",
}


# A page's period and its scorecard are read a moment apart: ends this close are the same "now".
SAME_END = timedelta(minutes=1)


class ScorecardError(ValueError):
    """A scorecard change that cannot be made; the message says why."""


@dataclass(frozen=True)
class ScoreRow:
    entry: ScorecardEntry
    metric: Metric
    period: Period
    current: MetricValue

    @property
    def value(self) -> float | None:
        return self.current.value

    @property
    def progress(self) -> float | None:
        """How far from the baseline to the target, in percent (may pass 100 or go below 0)."""
        base, target, value = self.entry.baseline, self.entry.target, self.value
        if value is None or base is None or target is None or target == base:
            return None
        return (value - base) / (target - base) * 100

    @property
    def status(self) -> str:
        if not self.metric.available:
            return UNAVAILABLE
        target = self.entry.target
        if target is None:
            return NO_TARGET
        if self.value is None:
            return NO_DATA
        sign = 1 if self.metric.higher_is_better else -1
        if sign * (self.value - target) >= 0:
            return MET
        base = self.entry.baseline
        if base is not None and sign * (self.value - base) < 0:
            return BELOW
        return BEHIND

    @property
    def is_behind(self) -> bool:
        return self.status in {BEHIND, BELOW}

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def baseline_text(self) -> str:
        """The baseline as it reads in a table, or "no baseline" when unknown."""
        base = self.entry.baseline
        return NO_BASELINE_TEXT if base is None else format_value(base, self.metric.unit)

    @property
    def target_text(self) -> str:
        target = self.entry.target
        return NO_TARGET_TEXT if target is None else format_value(target, self.metric.unit)

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric.code,
            "name": self.metric.name,
            "unit": self.metric.unit,
            "baseline": self.entry.baseline,
            "target": self.entry.target,
            "window": self.entry.window,
            "cadence": self.entry.cadence,
            "period_start": self.period.start.isoformat(),
            "period_end": self.period.end.isoformat(),
            "value": self.value,
            "progress": self.progress,
            "status": self.status,
            "available": self.metric.available,
            "needs": self.metric.needs,
        }


def scorecard(
    *,
    now: datetime,
    policy: Policy,
    segment: Segment | None = None,
    shown: Evaluation | None = None,
) -> list[ScoreRow]:
    """Every scorecard entry measured now, those behind first, then in the team's order.

    `shown` is the evaluation of the page or report the scorecard sits in: an entry whose window
    is that period (the default, the last 90 days, to now) is measured by it, so the scorecard
    and the metric's card show one figure, computed once."""
    segment = segment or Segment()
    evaluations: dict[str, Evaluation] = {}
    if shown is not None and shown.segment == segment and abs(shown.period.end - now) < SAME_END:
        span = shown.period.end - shown.period.start
        evaluations.update(
            (w.value, shown) for w in Window if span == timedelta(days=WINDOW_DAYS[w.value])
        )
    rows = []
    for entry in ScorecardEntry.objects.all():
        m = BY_CODE.get(entry.metric)
        if m is None:  # a code the catalogue no longer has
            continue
        if entry.window not in evaluations:
            period = Period.trailing(WINDOW_DAYS[Window(entry.window).value], now)
            evaluations[entry.window] = Evaluation(period, segment, now=now, policy=policy)
        ev = evaluations[entry.window]
        rows.append(ScoreRow(entry, m, ev.period, compute(m, ev)))
    return sorted(rows, key=lambda r: (not r.is_behind, r.entry.position, r.entry.metric))


def set_entry(
    code: str,
    *,
    target: float | None = None,
    baseline: float | None = None,
    window: str = Window.QUARTER,
    cadence: str = Cadence.MONTHLY,
    actor: Any = None,
    now: datetime,
) -> ScorecardEntry:
    """Add a metric to the scorecard or change its entry (one upsert on the unique code).
    Without a target (or a baseline) the entry shows the value without judging it."""
    try:
        metric(code)
    except LookupError as exc:
        raise ScorecardError(str(exc)) from None
    if window not in Window.values:
        raise ScorecardError(f"unknown window {window!r}: expected {', '.join(Window.values)}")
    if cadence not in Cadence.values:
        raise ScorecardError(f"unknown cadence {cadence!r}: expected {', '.join(Cadence.values)}")
    if baseline is not None and target is not None and baseline == target:
        raise ScorecardError("the target must differ from the baseline")
    with transaction.atomic():
        last = ScorecardEntry.objects.aggregate(n=Max("position"))["n"]
        ScorecardEntry.objects.bulk_create(
            [
                ScorecardEntry(
                    metric=code,
                    baseline=baseline,
                    target=target,
                    window=window,
                    cadence=cadence,
                    position=0 if last is None else last + 1,
                    updated_by=actor if getattr(actor, "pk", None) else None,
                    updated_at=now,
                )
            ],
            update_conflicts=True,
            unique_fields=["metric"],
            update_fields=["baseline", "target", "window", "cadence", "updated_by", "updated_at"],
        )
    return ScorecardEntry.objects.get(metric=code)


def remove_entry(code: str) -> None:
    deleted, _ = ScorecardEntry.objects.filter(metric=code).delete()
    if not deleted:
        raise ScorecardError(f"{code!r} is not on the scorecard")
