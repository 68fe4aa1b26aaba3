"""The council report's PDF as a job (advocacy.core.jobs): WeasyPrint takes its time, so the
web UI and the API build it out of the request and keep it as the job's artefact."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from advocacy.core.jobs import JobKind, Reporter, attach_artefact, register_kind, start_job
from advocacy.core.models import Job
from advocacy.engine.services import current_policy
from advocacy.metrics.periods import Period, PeriodError
from advocacy.metrics.report import COUNCIL_PDF_STEPS, council_pdf, council_period

KIND = "council_pdf"


def start_council_pdf(
    period: Period, *, now: datetime, actor: Any = None, api_key: str = ""
) -> Job:
    """Queue the council report of `period` (a month) as PDF, its numbers as of `now`."""
    return start_job(
        KIND,
        title=f"Council report for {period.label} (PDF)",
        params={"month": period.label, "as_of": now.isoformat()},
        unit="steps",
        total=COUNCIL_PDF_STEPS,
        actor=actor,
        api_key=api_key,
        now=now,
    )


def _build(job: Job, report: Reporter) -> dict[str, Any]:
    as_of = parse_datetime(str(job.params.get("as_of", "")))
    if as_of is None:
        raise PeriodError(f"job {job.pk} has no moment to report as of")
    period = council_period(job.params.get("month") or None, now=as_of)
    pdf = council_pdf(period, now=as_of, policy=current_policy(), progress=report)
    filename = f"council-{period.label}.pdf"
    attach_artefact(job, filename, pdf)
    return {"month": period.label, "filename": filename, "bytes": len(pdf)}


def register() -> None:
    register_kind(JobKind(KIND, "Council report PDF", _build, expected=(PeriodError, ValueError)))
