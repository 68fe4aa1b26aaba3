"""Small presentational helpers: score tones, signal icons, SVG sparklines, month groups.

Pure functions of their inputs (no queries), so the templates stay declarative and the rules
for "what colour is an NPS of 8" live in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from advocacy.signals.models import AMOUNT_KINDS, VALUE_RANGES, Signal, SignalKind

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
    SignalKind.CASE_STUDY_PUBLISHED: KindStyle("❏", "advocacy"),
    SignalKind.QUOTE_APPROVED: KindStyle("❝", "advocacy"),
    SignalKind.VIDEO_PUBLISHED: KindStyle("▶", "advocacy"),
    SignalKind.TALK_GIVEN: KindStyle("◉", "advocacy"),
    SignalKind.CONTENT_PUBLISHED: KindStyle("✍", "advocacy"),
    SignalKind.OPT_OUT: KindStyle("✕", "optout"),
    SignalKind.VALUE_GIVEN: KindStyle("♦", "advocacy"),
}
DEFAULT_STYLE = KindStyle("•", "other")


def kind_style(kind: str) -> KindStyle:
    return KIND_STYLES.get(kind, DEFAULT_STYLE)


def format_number(value: float) -> str:
    """One decimal at most, none when whole, thousands separated: 55.6, 65, 150,000."""
    rounded = round(value, 1)
    return f"{int(rounded):,}" if rounded == int(rounded) else f"{rounded:,.1f}"


def format_value(kind: str, value: float | None) -> str:
    """Show a value readably; scored kinds show their scale ("9 / 10"), amounts their dollar
    sign ("$150,000")."""
    if value is None:
        return ""
    text = format_number(value)
    if kind in AMOUNT_KINDS:
        return f"-${text[1:]}" if text.startswith("-") else f"${text}"
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


@dataclass(frozen=True)
class Series:
    """One layer of a stacked bar chart; `key` names its CSS colour (chart__seg--<key>)."""

    key: str
    label: str


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    value: int
    y: float
    height: float


@dataclass(frozen=True)
class BarGroup:
    """One column of the chart: its segments bottom up, and the words a screen reader gets."""

    label: str
    title: str
    x: float
    width: float
    total: int
    segments: tuple[Segment, ...]
    show_label: bool

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def description(self) -> str:
        parts = [f"{s.value:,} {s.label.lower()}" for s in self.segments if s.value]
        return f"{self.title}: {', '.join(parts) if parts else 'nothing'}"


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class StackedBars:
    """An SVG stacked bar chart laid out in a width x height box (the template draws it)."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    series: tuple[Series, ...]
    groups: tuple[BarGroup, ...]
    ticks: tuple[Tick, ...]

    @property
    def label_y(self) -> int:
        return self.bottom + 16

    @property
    def is_empty(self) -> bool:
        return all(group.total == 0 for group in self.groups)


def nice_ceiling(value: int, ticks: int = 4) -> tuple[int, int]:
    """A round top for the axis and its step: 37 → (40, 10); 0 → (1, 1)."""
    if value <= 0:
        return 1, 1
    raw = value / ticks
    magnitude = 10 ** max(0, len(str(int(raw))) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, step)
    return -(-value // step) * step, step


def stacked_bars(
    labels: Sequence[str],
    rows: Sequence[dict[str, int]],
    series: Sequence[Series],
    *,
    titles: Sequence[str] | None = None,
    width: int = 720,
    height: int = 260,
    max_labels: int = 12,
) -> StackedBars:
    """Stack each row's values (in `series` order, bottom up) into one bar per label.

    `labels` go under the axis (thinned out when there are many); `titles` (default: the
    labels) name each bar in full for screen readers and tooltips.
    """
    titles = list(titles) if titles is not None else list(labels)
    left, right, top, bottom = 44, width - 8, 10, height - 28
    totals = [sum(row.get(s.key, 0) for s in series) for row in rows]
    top_value, step = nice_ceiling(max(totals, default=0))
    plot_height = bottom - top
    slot = (right - left) / max(1, len(rows))
    bar = max(2.0, round(slot * 0.7, 1))
    every = max(1, -(-len(rows) // max_labels))  # at most about that many labels under the axis
    groups = []
    for index, (label, title, row, total) in enumerate(
        zip(labels, titles, rows, totals, strict=True)
    ):
        x = round(left + index * slot + (slot - bar) / 2, 1)
        base = float(bottom)
        segments = []
        for s in series:
            value = row.get(s.key, 0)
            size = round(value / top_value * plot_height, 1)
            base -= size
            segments.append(Segment(s.key, s.label, value, round(base, 1), size))
        groups.append(
            BarGroup(label, title, x, bar, total, tuple(segments), show_label=index % every == 0)
        )
    ticks = tuple(
        Tick(value, round(bottom - value / top_value * plot_height, 1))
        for value in range(0, top_value + 1, step)
    )
    return StackedBars(width, height, left, right, top, bottom, tuple(series), tuple(groups), ticks)


@dataclass(frozen=True)
class HBar:
    key: str
    label: str
    value: int
    y: float
    width: float
    share: float | None  # of its base bar (the first, or the one `bases` names), percent
    base: str = ""  # the label of the bar the share is of


@dataclass(frozen=True)
class HBars:
    """A horizontal bar chart (a funnel, a population) in a width x height box."""

    width: int
    height: int
    left: int
    bar_height: float
    bars: tuple[HBar, ...]

    @property
    def is_empty(self) -> bool:
        return all(bar.value == 0 for bar in self.bars)


def hbars(
    rows: Sequence[tuple[str, str, int]],
    *,
    width: int = 520,
    left: int = 110,
    row: int = 30,
    room: int = 100,
    bases: Mapping[str, str] | None = None,
) -> HBars:
    """One bar per (key, label, value), longest scaled to the plot's width, in order. Each bar's
    share is of the first bar, or of the bar `bases` names for its key (a funnel's stages)."""
    top = max((value for _, _, value in rows), default=0)
    values = {key: (label, value) for key, label, value in rows}
    first = rows[0][0] if rows else ""
    plot = width - left - room  # room on the right for the value and its share

    def share(key: str, value: int) -> tuple[float | None, str]:
        base_label, base = values.get((bases or {}).get(key, first), ("", 0))
        return (round(value / base * 100, 1) if base else None), base_label

    bars = tuple(
        HBar(
            key,
            label,
            value,
            y=index * row + 4,
            width=round(value / top * plot, 1) if top else 0.0,
            share=share(key, value)[0],
            base=share(key, value)[1],
        )
        for index, (key, label, value) in enumerate(rows)
    )
    return HBars(width, max(row, len(rows) * row + 8), left, row - 10, bars)
