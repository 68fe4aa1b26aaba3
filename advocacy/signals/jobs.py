"""Imports as jobs (advocacy.core.jobs): a file past ADVOCACY_IMPORT_INLINE_MAX_BYTES leaves
the request; the job does its run's pass with `resume_import`, so a job delivered again after a
worker died goes on from the rows already done.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_datetime

from advocacy.core.jobs import JobKind, Reporter, create_job, enqueue_job, register_kind
from advocacy.core.models import Job
from advocacy.signals.imports import ImportFileError, begin_commit, queue_import, resume_import
from advocacy.signals.models import ImportRun, ImportStatus

KIND = "import"


def goes_to_a_job(size: int | None) -> bool:
    """Whether a file of `size` bytes is imported by a job rather than within the request."""
    return size is None or size > settings.IMPORT_INLINE_MAX_BYTES


def file_size(run: ImportRun) -> int:
    """The size of the run's file (runs from before sizes were kept: of its stored copy)."""
    if run.file_bytes:
        return run.file_bytes
    return run.upload.size if run.upload else 0


def run_summary(run: ImportRun) -> dict[str, Any]:
    """What a finished import job answers: the run and its counts."""
    return {
        "import_run": run.pk,
        "kind": run.kind,
        "filename": run.filename,
        "status": run.status,
        "rows_total": run.rows_total,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "rejected": run.rejected,
    }


def start_import_job(run: ImportRun, *, actor: Any, now: datetime, api_key: str = "") -> Job:
    """Queue the pass of a run under way (from `queue_import`, `begin_commit`, or stopped)."""
    verb = "Preview" if run.status == ImportStatus.PREVIEWING else "Import"
    with transaction.atomic():
        job = create_job(
            KIND,
            title=f"{verb} of {run.get_kind_display().lower()} from {run.filename}",
            params={"run": run.pk, "now": now.isoformat()},
            actor=actor,
            api_key=api_key,
            unit="bytes",
            total=run.file_bytes or None,
            now=now,
        )
        ImportRun.objects.filter(pk=run.pk).update(job=job)
        run.job = job
        return enqueue_job(job)


def queue_import_job(
    kind: str,
    path: Path,
    *,
    filename: str | None = None,
    preset: str | None = None,
    mapping: Mapping[str, Any] | None = None,
    strict: bool = False,
    dry_run: bool = False,
    actor: Any = None,
    now: datetime,
    api_key: str = "",
) -> Job:
    """Record the run (with a copy of the file) and queue its job, or neither (a refused start
    leaves no run behind, nor its copy)."""
    run: ImportRun | None = None
    try:
        with transaction.atomic():
            run = queue_import(
                kind,
                path,
                filename=filename,
                preset=preset,
                mapping=mapping,
                strict=strict,
                dry_run=dry_run,
                actor=actor,
            )
            return start_import_job(run, actor=actor, now=now, api_key=api_key)
    except BaseException:
        if run is not None and run.upload:
            run.upload.delete(save=False)
        raise


def commit_as_job(run: ImportRun, *, actor: Any, now: datetime, api_key: str = "") -> Job | None:
    """Take a previewed run to its commit and queue the job that does it; None when the run is
    strict and its preview found bad rows (it is "rejected" at once, nothing to do)."""
    with transaction.atomic():
        run = begin_commit(run, now=now)
        if run.status == ImportStatus.REJECTED:
            return None
        return start_import_job(run, actor=actor, now=now, api_key=api_key)


def _run(job: Job, report: Reporter) -> dict[str, Any]:
    run = ImportRun.objects.get(pk=job.params["run"])
    now = parse_datetime(job.params["now"])
    if now is None:
        raise ImportFileError(f"job {job.pk} has no moment to import at")

    def progress(done: int, total: int) -> None:
        words = f"{run.rows_total:,} rows read, {run.rejected:,} rejected"
        if run.strict and run.status == ImportStatus.COMMITTING:
            report.aside(done, total, words)  # one transaction for the whole file
        else:
            report(done, total, words)  # committed with each chunk's rows

    resume_import(run, actor=job.created_by, now=now, progress=progress)
    return run_summary(run)


def register() -> None:
    register_kind(JobKind(KIND, "CSV import", _run, expected=(ImportFileError,)))
