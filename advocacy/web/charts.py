"""Small presentational helpers: score tones, signal icons, SVG sparklines, month groups.

Pure functions of their inputs (no queries), so the templates stay declarative and the rules
for "what colour is an NPS of 8" live in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from advocacy.signals.models import VALUE_RANGES, Signal, SignalKind

# Tone per value: the NPS categories (promoter 9-10, passive 7-8, detractor 0-6) and the usual
# health-score bands (70+ healthy, 40-69 at risk, below 40 poor).
GOOD, WARN, BAD, NEUTRAL = "good", "warn", "bad", "neutral"


def score_tone(kind: str, value: float | None) -> str:
    """Return good / warn / bad for a scored signal, neutral for anything else."""
    if value is None:
        return NEUTRAL
    if kind == SignalKind.NPS:
        return GOOD if value >= 9 else WARN if value >= 7 else BAD
    if kind == SignalKind.HEALTH_SCORE:
        return GOOD if value >= 70 else WARN if value >= 40 else BAD
    if kind == SignalKind.CSAT:
        return GOOD if value >= 4 else WARN if value >= 3 else BAD
    return NEUTRAL


@dataclass(frozen=True)
class KindStyle:
    glyph: str  # decorative only: the kind's label is always shown beside it
    family: str  # CSS modifier: sentiment, health, usage, commercial, support, advocacy, optout


KIND_STYLES: dict[str, KindStyle] = {
    SignalKind.NPS: KindStyle("★", "sentiment"),
    SignalKind.CSAT: KindStyle("☺", "sentiment"),
    SignalKind.HEALTH_SCORE: KindStyle("♥", "health"),
    SignalKind.USAGE_MILESTONE: KindStyle("⚑", "usage"),
    SignalKind.ACTIVITY: KindStyle("↯", "usage"),
    SignalKind.RENEWAL: KindStyle("↻", "commercial"),
    SignalKind.EXPANSION: KindStyle("↑", "commercial"),
    SignalKind.TICKET_OPENED: KindStyle("!", "support"),
    SignalKind.TICKET_CLOSED: KindStyle("✓", "support"),
    SignalKind.RESULT_SHARED: KindStyle("%", "advocacy"),
    SignalKind.CSM_NOMINATION: KindStyle("✦", "advocacy"),
    SignalKind.REVIEW_PUBLISHED: KindStyle("✎", "advocacy"),
    SignalKind.REFERRAL_STATUS: KindStyle("→", "advocacy"),
    SignalKind.REFERENCE_COMPLETED: KindStyle("☎", "advocacy"),
    SignalKind.OPT_OUT: KindStyle("✕", "optout"),
}
DEFAULT_STYLE = KindStyle("•", "other")


def kind_style(kind: str) -> KindStyle:
    return KIND_STYLES.get(kind, DEFAULT_STYLE)


def format_number(value: float) -> str:
    """One decimal at most, none when whole, thousands separated: 55.6, 65, 150,000."""
    rounded = round(value, 1)
    return f"{int(rounded):,}" if rounded == int(rounded) else f"{rounded:,.1f}"


def format_value(kind: str, value: float | None) -> str:
    """Show a value readably; scored kinds show their scale ("9 / 10")."""
    if value is None:
        return ""
    text = format_number(value)
    if kind in VALUE_RANGES:
        return f"{text} / {VALUE_RANGES[kind][1]:g}"
    return text


@dataclass(frozen=True)
class Sparkline:
    """An SVG polyline in a width x height box, with the last point marked."""

    width: int
    height: int
    points: str
    last_x: float
    last_y: float
    values: tuple[float, ...]

    @property
    def label(self) -> str:
        return ", ".join(format_number(v) for v in self.values)


def sparkline(
    values: Sequence[float], lo: float, hi: float, *, width: int = 150, height: int = 32
) -> Sparkline | None:
    """Lay `values` (oldest first) on a fixed `lo`..`hi` scale; None when fewer than two."""
    if len(values) < 2 or hi <= lo:
        return None
    pad = 3
    step = (width - 2 * pad) / (len(values) - 1)
    coords: list[tuple[float, float]] = []
    for index, value in enumerate(values):
        clamped = min(max(value, lo), hi)
        x = pad + index * step
        y = pad + (hi - clamped) / (hi - lo) * (height - 2 * pad)
        coords.append((round(x, 1), round(y, 1)))
    return Sparkline(
        width=width,
        height=height,
        points=" ".join(f"{x:g},{y:g}" for x, y in coords),
        last_x=coords[-1][0],
        last_y=coords[-1][1],
        values=tuple(values),
    )


@dataclass(frozen=True)
class MonthGroup:
    month: datetime  # the first instant of the month, local time
    signals: list[Signal]


def group_by_month(signals: Iterable[Signal]) -> list[MonthGroup]:
    """Group signals (already newest first) by local calendar month, keeping their order."""
    groups: list[MonthGroup] = []
    for signal in signals:
        local = timezone.localtime(signal.occurred_at)
        month = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        if not groups or groups[-1].month != month:
            groups.append(MonthGroup(month=month, signals=[]))
        groups[-1].signals.append(signal)
    return groups
