"""A CRM sync as a job (advocacy.core.jobs): the web UI and the API start it and answer at once;
its progress is the records written, page by page, committed with the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from advocacy.core.jobs import JobKind, Reporter, register_kind, start_job
from advocacy.core.models import Job
from advocacy.integrations.connectors.crm import CrmError, crm_connection, run_summary, sync

KIND = "crm_sync"


def start_sync(name: str, *, actor: Any, now: datetime, api_key: str = "") -> Job:
    """Queue a sync of the CRM connection `name` (refused at once if it is not one)."""
    connection = crm_connection(name)
    return start_job(
        KIND,
        title=f"Sync of {connection.name}",
        params={"connection": connection.name},
        unit="records",
        actor=actor,
        api_key=api_key,
        now=now,
    )


def _run(job: Job, report: Reporter) -> dict[str, Any]:
    def progress(done: int, total: int | None) -> None:
        report(done, total, f"{done:,} records written")

    run = sync(str(job.params["connection"]), now=timezone.now, progress=progress, job_id=job.pk)
    if run.state != "done":
        raise CrmError(run.error or "the sync stopped")
    return run_summary(run)


def register() -> None:
    register_kind(JobKind(KIND, "CRM sync", _run, expected=(CrmError,)))
