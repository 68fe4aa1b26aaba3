"""Long work of value moments as jobs (advocacy.core.jobs): a send to every account, and the
year in review as PDF (WeasyPrint takes its time). The web UI and the API start them and
answer at once; the PDF is kept as the job's artefact."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from advocacy.core.jobs import JobKind, Reporter, attach_artefact, register_kind, start_job
from advocacy.core.models import Job
from advocacy.value import services

SEND = "value_send"
WRAPPED_PDF = "value_wrapped_pdf"


def start_send(
    kind: str, period: str, *, now: datetime, actor: Any = None, api_key: str = ""
) -> Job:
    """Queue the send of `kind` for `period` to everyone it is for (checked now: a bad kind or
    a period not over is refused before anything is queued)."""
    span = services.span_of(kind, period, now=now)
    label = services.kind_of(kind).label
    return start_job(
        SEND,
        title=f"{label} for {span.words}",
        params={"kind": kind, "period": span.label, "as_of": now.isoformat()},
        unit="emails",
        actor=actor,
        api_key=api_key,
        now=now,
    )


def _as_of(job: Job) -> datetime:
    as_of = parse_datetime(str(job.params.get("as_of", "")))
    if as_of is None:
        raise services.MomentError(f"job {job.pk} has no moment it was asked at")
    return as_of


def _send(job: Job, report: Reporter) -> dict[str, Any]:
    now = _as_of(job)
    kind = str(job.params["kind"])
    span = services.span_of(kind, str(job.params["period"]), now=now)
    actor = job.created_by
    sent = services.send(kind, span, now=now, actor=actor)
    report(sent.written, sent.recipients)
    return sent.as_dict()


def start_wrapped_pdf(
    kind: str,
    contact_id: int | None,
    account_id: int | None,
    year: str,
    *,
    now: datetime,
    actor: Any = None,
    api_key: str = "",
) -> Job:
    """Queue the year in review of an advocate or an account as PDF."""
    from advocacy.value.wrapped import subject_of

    span = services.span_of(kind, year, now=now)
    who = subject_of(kind, contact_id, account_id)
    return start_job(
        WRAPPED_PDF,
        title=f"{span.label} in review for {who} (PDF)",
        params={
            "kind": kind,
            "contact": contact_id,
            "account": account_id,
            "year": span.label,
            "as_of": now.isoformat(),
        },
        unit="steps",
        total=3,
        actor=actor,
        api_key=api_key,
        now=now,
    )


def _wrapped_pdf(job: Job, report: Reporter) -> dict[str, Any]:
    from advocacy.value.wrapped import wrapped_pdf

    now = _as_of(job)
    p = job.params
    span = services.span_of(str(p["kind"]), str(p["year"]), now=now)
    pdf, filename = wrapped_pdf(
        str(p["kind"]), p.get("contact"), p.get("account"), span, progress=report
    )
    attach_artefact(job, filename, pdf)
    return {"year": span.label, "filename": filename, "bytes": len(pdf)}


def register() -> None:
    expected = (services.MomentError, ValueError)
    register_kind(JobKind(SEND, "Value moments sent", _send, expected=expected))
    register_kind(JobKind(WRAPPED_PDF, "Year in review PDF", _wrapped_pdf, expected=expected))
