"""What the interfaces call: parse a period and segment, build a report, export a table.

The CLI, the API and the web UI all come through here, so the same filters give the same
numbers everywhere. Tables are named (`metrics`, `scorecard`, `funnel_<dimension>`, `lift`,
`tactics`, `trend`, `ladder`) and each can be written as CSV.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from advocacy.engine.services import current_policy
from advocacy.metrics.catalogue import DEFAULT_PERIOD
from advocacy.metrics.dashboard import dashboard_tables
from advocacy.metrics.periods import PeriodError, Segment, parse_period, parse_segment
from advocacy.metrics.queries import Evaluation
from advocacy.metrics.report import Report, build_report, report_tables, to_csv

__all__ = ["PeriodError", "evaluation", "export_csv", "filters", "report_for", "table"]


def filters(
    period: str | None, segment: str | Mapping[str, str] | None, *, now: datetime
) -> tuple[Any, Segment]:
    """The period and segment named by text (CLI) or by separate fields (API, web)."""
    seg = (
        Segment(**{k: v for k, v in segment.items() if v})
        if isinstance(segment, Mapping)
        else parse_segment(segment)
    )
    return parse_period(period or DEFAULT_PERIOD, now=now), seg


def evaluation(
    period: str | None, segment: str | Mapping[str, str] | None, *, now: datetime
) -> Evaluation:
    p, s = filters(period, segment, now=now)
    return Evaluation(p, s, now=now, policy=current_policy())


def report_for(
    period: str | None, segment: str | Mapping[str, str] | None, *, now: datetime
) -> Report:
    p, s = filters(period, segment, now=now)
    return build_report(p, s, now=now, policy=current_policy())


def table(report: Report, name: str) -> tuple[list[str], list[list[Any]]]:
    """One named table of the report (or of the dashboard), as a header and rows."""
    tables = {**report_tables(report), **dashboard_tables(report.evaluation)}
    if name not in tables:
        raise PeriodError(f"unknown table {name!r}: expected one of {', '.join(sorted(tables))}")
    return tables[name]


def export_csv(report: Report, name: str) -> str:
    header, rows = table(report, name)
    return to_csv(header, rows)
