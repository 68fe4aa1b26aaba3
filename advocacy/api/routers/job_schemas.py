"""Schemas of jobs: long work run out of the request, with its progress and its result."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.urls import reverse
from ninja import Field, Schema

from advocacy.api.schemas import bounded
from advocacy.core.models import Job, JobState

RESULTS = (
    "What the work gave, by kind: `import`: the run and its counts (`import_run`, `status`, "
    "`rows_total`, `created`, `updated`, `unchanged`, `rejected`); `simulation`: the "
    "simulation (`from`, `to`, `plays`, `totals`, `by_play`, `weeks`, as GET /api/plays/simulate "
    "described it before it became a job); `profiles`: `refreshed` and `as_of`; `council_pdf`: "
    "`month`, `filename` and `bytes` (the PDF is at `artefact_url`); `crm_sync`: the run "
    "(`state`, `pages`, `counts` per object, `rejections`, `cursors`). Empty until done."
)


class JobOut(Schema):
    id: int
    kind: str = Field(description="import, simulation, profiles, council_pdf or crm_sync")
    state: str = Field(description="queued, running, done or failed")
    title: str
    done: int = Field(description="How much is done, in `unit`")
    total: int | None = Field(description="How much there is in all; null while unknown")
    unit: str = Field(description="bytes, days, steps, contacts or records")
    percent: int | None = Field(description="Whole percent done; null while the total is unknown")
    message: str = Field(description="What it is doing; when failed, why")
    result: dict[str, Any] = Field(description=RESULTS)
    started_by: str | None = Field(description="The user who started it")
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime = Field(description="When it last reported progress")
    url: str = Field(description="This job: poll it until `state` is done or failed")
    result_url: str | None = Field(description="Where the result lives, once done")
    artefact_url: str | None = Field(description="The file it produced (a PDF), once done")

    @staticmethod
    def resolve_started_by(obj: Job) -> str | None:
        return obj.created_by.get_username() if obj.created_by else None

    @staticmethod
    def resolve_url(obj: Job) -> str:
        return reverse("api:get_job", kwargs={"job_id": obj.pk})

    @staticmethod
    def resolve_artefact_url(obj: Job) -> str | None:
        if obj.state != "done" or not obj.artefact:
            return None
        return reverse("api:get_job_artefact", kwargs={"job_id": obj.pk})

    @staticmethod
    def resolve_result_url(obj: Job) -> str | None:
        if obj.state != "done":
            return None
        if obj.kind == "import" and obj.result.get("import_run"):
            return reverse("api:get_import", kwargs={"run_id": obj.result["import_run"]})
        if obj.kind == "profiles":
            return reverse("api:list_advocates")
        if obj.artefact:
            return reverse("api:get_job_artefact", kwargs={"job_id": obj.pk})
        return reverse("api:get_job", kwargs={"job_id": obj.pk})


class JobFilters(Schema):
    kind: Annotated[str, bounded(30)] = Field(
        "", description="Only jobs of this kind: import, simulation, …"
    )
    state: JobState | None = Field(None, description="Only jobs in this state")
