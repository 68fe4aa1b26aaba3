"""/api/metrics: the catalogue's values for a period and segment, the scorecard, the report.

Reads need `read`; changing the scorecard needs `scorecard:write`. A period or segment that
cannot be read answers 422 naming the accepted forms; an unknown metric 404. The council
report's PDF is built by a job (POST /api/metrics/council, `read`: it changes nothing).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Path, Query
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.routers.jobs import STARTED, STARTED_HEADERS, accepted, key_prefix
from advocacy.api.routers.metric_schemas import (
    CouncilIn,
    MetricFilters,
    MetricsOut,
    MetricValueOut,
    ReportOut,
    ScorecardEntryOut,
    ScorecardIn,
    ScoreRowOut,
)
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import as_of
from advocacy.core.models import Job
from advocacy.engine.services import current_policy
from advocacy.metrics.catalogue import BY_CODE, compute
from advocacy.metrics.jobs import start_council_pdf
from advocacy.metrics.models import ScorecardEntry
from advocacy.metrics.report import council_period, report_dict, value_dict
from advocacy.metrics.scorecard import ScorecardError, remove_entry, scorecard, set_entry
from advocacy.metrics.services import evaluation, report_for

router = ScopedRouter(tags=["metrics"])
CODE = Path(..., pattern=r"^[a-z_]{1,50}$", description="A catalogue code")


def _head(ev: Any) -> dict[str, Any]:
    return {
        "period": {"label": ev.period.label, "start": ev.period.start, "end": ev.period.end},
        "segment": ev.segment.as_dict(),
    }


@router.get("", response=MetricsOut, operation_id="list_metrics")
def list_metrics(request: HttpRequest, filters: Query[MetricFilters]) -> dict[str, Any]:
    """Every metric of the catalogue for the period and segment (not-yet-available ones null)."""
    ev = evaluation(filters.period, filters.segment(), now=timezone.now())
    values = [value_dict(compute(m, ev)) for m in BY_CODE.values()]
    return {**_head(ev), "metrics": values}


@router.get("/scorecard", response=list[ScoreRowOut], operation_id="get_scorecard")
def get_scorecard(request: HttpRequest) -> list[dict[str, Any]]:
    """Each scorecard metric now over its window, against baseline and target; behind first."""
    return [row.as_dict() for row in scorecard(now=timezone.now(), policy=current_policy())]


@router.put(
    "/scorecard/{code}", response={200: ScorecardEntryOut}, operation_id="set_scorecard_entry"
)
def put_scorecard(request: HttpRequest, payload: ScorecardIn, code: str = CODE) -> ScorecardEntry:
    """Add a metric to the scorecard or change its baseline, target, window and cadence."""
    return set_entry(
        code,
        target=payload.target,
        baseline=payload.baseline,
        window=payload.window,
        cadence=payload.cadence,
        actor=principal_of(request).user,
        now=as_of(payload.as_of),
    )


@router.delete("/scorecard/{code}", response={204: None}, operation_id="remove_scorecard_entry")
def delete_scorecard(request: HttpRequest, code: str = CODE) -> Status[None]:
    """Take a metric off the scorecard (404 when it is not on it)."""
    try:
        remove_entry(code)
    except ScorecardError as exc:
        raise Http404(str(exc)) from None
    return Status(204, None)


@router.get("/report", response=ReportOut, operation_id="get_report")
def get_report(request: HttpRequest, filters: Query[MetricFilters]) -> dict[str, Any]:
    """The report `advocacy report --format json` prints: metrics, scorecard, funnels by
    moment, persona, play and channel, each play's lift with its interval, review tactics."""
    report = report_for(filters.period, filters.segment(), now=timezone.now())
    return report_dict(report)


@router.post(
    "/council",
    response=STARTED,
    operation_id="build_council_report",
    openapi_extra=STARTED_HEADERS,
)
def build_council_report(
    request: HttpRequest, response: HttpResponse, payload: CouncilIn
) -> Status[Job]:
    """Build the monthly advocacy council report as PDF: 202 with the job; once done, the PDF
    is at its `artefact_url`. Needs only `read`: it changes nothing."""
    now = as_of(payload.as_of)
    period = council_period(payload.month or None, now=now)  # PeriodError: 422
    job = start_council_pdf(
        period, now=now, actor=principal_of(request).user, api_key=key_prefix(request)
    )
    return accepted(response, job)


@router.get("/{code}", response=MetricValueOut, operation_id="get_metric")
def get_metric(
    request: HttpRequest, filters: Query[MetricFilters], code: str = CODE
) -> dict[str, Any]:
    """One metric: its definition and value for the period and segment."""
    if code not in BY_CODE:
        raise Http404(f"unknown metric {code!r}: expected one of {', '.join(BY_CODE)}")
    ev = evaluation(filters.period, filters.segment(), now=timezone.now())
    return value_dict(compute(BY_CODE[code], ev))
