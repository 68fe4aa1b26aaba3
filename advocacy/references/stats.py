"""Fill rate and time-to-fill of reference requests per segment, and the alert under 70%.

Definitions (docs/reference-desk.md):

- in scope: requests filed in the period, cancelled ones left out;
- **filled**: an advocate who accepted is scheduled for the request (`filled_at` is set then,
  and cleared if the call falls through);
- **pending**: not filled, still open or offered, and its needed-by date not passed: still
  being worked, so neither filled nor missed;
- **fill rate** = filled / (in scope - pending);
- **time-to-fill**: from filed to filled, in hours (median and mean over the filled ones);
- **alert**: a segment (or the whole desk) whose fill rate is under ADVOCACY_REFERENCE_FILL_ALERT
  (default 0.70, seed 002: "under 70% fill is a sourcing problem").
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings

from advocacy.customers.models import Region, SizeBand
from advocacy.references.models import ReferenceRequest, RequestStatus

DIMENSIONS = ("industry", "region", "size_band")
COLUMNS = ("industry", "region", "size_band", "status", "needed_by", "filed_at", "filled_at")
LABELS = {"region": dict(Region.choices), "size_band": dict(SizeBand.choices)}


@dataclass
class Segment:
    dimension: str
    value: str
    label: str
    filed: int = 0
    filled: int = 0
    pending: int = 0
    hours: list[float] = field(default_factory=list, repr=False)

    @property
    def decided(self) -> int:
        return self.filed - self.pending

    @property
    def fill_rate(self) -> float | None:
        return round(self.filled / self.decided, 4) if self.decided else None

    @property
    def median_hours(self) -> float | None:
        return round(statistics.median(self.hours), 1) if self.hours else None

    @property
    def mean_hours(self) -> float | None:
        return round(statistics.fmean(self.hours), 1) if self.hours else None

    def alert(self, threshold: float) -> bool:
        rate = self.fill_rate
        return rate is not None and rate < threshold

    def as_dict(self, threshold: float) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "value": self.value,
            "label": self.label,
            "filed": self.filed,
            "filled": self.filled,
            "pending": self.pending,
            "fill_rate": self.fill_rate,
            "median_hours_to_fill": self.median_hours,
            "mean_hours_to_fill": self.mean_hours,
            "alert": self.alert(threshold),
        }


@dataclass
class DeskStats:
    start: datetime
    end: datetime
    threshold: float
    overall: Segment
    segments: list[Segment]

    @property
    def alerts(self) -> list[Segment]:
        return [s for s in [self.overall, *self.segments] if s.alert(self.threshold)]

    def by(self, dimension: str) -> list[Segment]:
        return [s for s in self.segments if s.dimension == dimension]

    def as_dict(self) -> dict[str, Any]:
        t = self.threshold
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "threshold": t,
            "overall": self.overall.as_dict(t),
            "segments": [s.as_dict(t) for s in self.segments],
            "alerts": [
                f"{s.label}: fill rate {s.fill_rate:.0%} is under {t:.0%}" for s in self.alerts
            ],
        }


def desk_stats(
    *, start: datetime, end: datetime, now: datetime, threshold: float | None = None
) -> DeskStats:
    """Fill rate and time-to-fill over requests filed in [start, end], per segment; one query."""
    threshold = settings.REFERENCE_FILL_ALERT if threshold is None else threshold
    rows = (
        ReferenceRequest.objects.filed_between(start, end)
        .exclude(status=RequestStatus.CANCELLED)
        .order_by()
        .values_list(
            "industry", "region", "size_band", "status", "needed_by", "filed_at", "filled_at"
        )
    )
    overall = Segment("all", "", "All requests")
    segments: dict[tuple[str, str], Segment] = {}
    working = {RequestStatus.OPEN, RequestStatus.OFFERED}
    for industry, region, size_band, status, needed_by, filed_at, filled_at in rows:
        values = {"industry": industry, "region": region, "size_band": size_band}
        pending = filled_at is None and status in working and needed_by >= now.date()
        buckets = [overall]
        for dim in DIMENSIONS:
            value = values[dim] or ""
            key = (dim, value.lower() if dim == "industry" else value)
            if key not in segments:
                label = LABELS.get(dim, {}).get(value, value) or "(not given)"
                segments[key] = Segment(dim, key[1], label)
            buckets.append(segments[key])
        for seg in buckets:
            seg.filed += 1
            if filled_at is not None:
                seg.filled += 1
                seg.hours.append((filled_at - filed_at).total_seconds() / 3600)
            elif pending:
                seg.pending += 1
    ordered = sorted(
        segments.values(), key=lambda s: (DIMENSIONS.index(s.dimension), -s.filed, s.label)
    )
    return DeskStats(start, end, threshold, overall, ordered)


def default_period(now: datetime, days: int = 90) -> tuple[datetime, datetime]:
    from datetime import timedelta

    return now - timedelta(days=days), now
