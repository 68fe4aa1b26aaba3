"""Schemas of metrics: values with their definition, the scorecard, the report."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema

from advocacy.api.schemas import AsOfIn, Number, bounded
from advocacy.customers.models import Persona, Region, SizeBand
from advocacy.metrics.models import Cadence, Window


class MetricFilters(Schema):
    period: Annotated[str, bounded(40)] | None = Field(
        None,
        description="90d (default), 2026-11, 2026-Q4, 2026, or 2026-01-01..2026-03-31",
    )
    industry: Annotated[str, bounded(100)] | None = None
    region: Region | None = None
    size_band: SizeBand | None = None
    persona: Persona | None = None

    def segment(self) -> dict[str, str]:
        given = {
            "industry": self.industry,
            "region": self.region,
            "size_band": self.size_band,
            "persona": self.persona,
        }
        return {k: str(v) for k, v in given.items() if v}


class CouncilIn(AsOfIn):
    month: Annotated[str, bounded(7)] = Field(
        "", description="YYYY-MM (default: the month before `as_of`)"
    )


class PeriodOut(Schema):
    label: str
    start: datetime
    end: datetime = Field(description="Excluded")


class SegmentOut(Schema):
    industry: str
    region: str
    size_band: str
    persona: str


class MetricValueOut(Schema):
    code: str
    name: str
    group: str
    formula: str
    unit: str
    seed: str = Field(description="The seed documents the metric comes from")
    available: bool
    needs: str = Field(description="What a metric not available yet needs; empty otherwise")
    value: float | None
    numerator: float | None
    denominator: float | None


class MetricsOut(Schema):
    period: PeriodOut
    segment: SegmentOut
    metrics: list[MetricValueOut]


class ScoreRowOut(Schema):
    metric: str
    name: str
    unit: str
    baseline: float | None = Field(description="Null when unknown")
    target: float | None = Field(description="Null until the team sets one")
    window: Window
    cadence: Cadence
    period_start: datetime
    period_end: datetime
    value: float | None
    progress: float | None = Field(
        description="Percent of the way from baseline to target; null without either"
    )
    status: str = Field(
        description="met, behind, below_baseline, no_data, no_target or unavailable"
    )
    available: bool
    needs: str


class ScorecardIn(AsOfIn):
    target: Number | None = Field(None, description="Null until chosen")
    baseline: Number | None = Field(None, description="Null when unknown")
    window: Window = Window.QUARTER
    cadence: Cadence = Cadence.MONTHLY


class ScorecardEntryOut(Schema):
    metric: str
    baseline: float | None
    target: float | None
    window: Window
    cadence: Cadence
    updated_at: datetime


class FunnelRowOut(Schema):
    key: str
    opened: int
    sent: int
    accepted: int
    completed: int
    published: int
    declined: int


class LiftOut(Schema):
    play: str
    asked: int
    asked_converted: int
    held_out: int
    held_out_converted: int
    asked_rate: float | None
    held_out_rate: float | None
    lift: float | None = Field(description="Percentage points")
    interval_low: float | None = Field(description="95% interval, normal approximation")
    interval_high: float | None


class TacticOut(Schema):
    tactic: str
    label: str
    sent: int
    accepted: int
    rate: float | None
    expected_low: int | None = Field(description="Seed 001's expected response, percent")
    expected_high: int | None


class PipelineOut(Schema):
    with_send_window: int = Field(description="Asks opened in the period with a send-by moment")
    missed_send_window: int = Field(
        description="Of those, the asks not sent by it (still unsent past it, or sent late)"
    )


class ReportOut(MetricsOut):
    scorecard: list[ScoreRowOut]
    funnels: dict[str, list[FunnelRowOut]] = Field(
        description="Asks opened in the period by moment, persona, play and channel"
    )
    lift: list[LiftOut]
    pipeline: PipelineOut = Field(description="How the asks opened in the period were sent")
    tactics: list[TacticOut]
