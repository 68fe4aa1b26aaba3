"""/api/jobs: long work run out of the request (big imports, simulations, profile refreshes,
council PDFs), with its progress and, once done, its result or the file it produced.

An operation that starts such work answers 202 with the job and `Location: /api/jobs/{id}`;
poll that until `state` is `done` or `failed`. `accepted` builds that answer for the routers.
"""

import mimetypes
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Path, Query
from ninja.pagination import paginate
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.routers.job_schemas import JobFilters, JobOut
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, ErrorOut, Page
from advocacy.core.models import Job, JobState

router = ScopedRouter(tags=["jobs"])
JOB_ID = Path(..., ge=1, le=MAX_ID)


# The answers of an operation that starts a job, and their headers in the schema.
STARTED: dict[int, Any] = {202: JobOut, 429: ErrorOut}
STARTED_HEADERS: dict[str, Any] = {
    "responses": {
        "202": {
            "description": "The work goes on as a job: follow `Location` (GET /api/jobs/{id})",
            "headers": {
                "Location": {"description": "The job", "schema": {"type": "string"}},
            },
        },
        "429": {
            "description": "This API key started as many jobs as ADVOCACY_JOB_RATE allows",
            "headers": {
                "Retry-After": {
                    "description": "Seconds until it may start another",
                    "schema": {"type": "integer"},
                }
            },
        },
    }
}


def key_prefix(request: HttpRequest) -> str:
    """The prefix of the API key behind this request ("" for the web UI's session): the
    holder whose job starts ADVOCACY_JOB_RATE counts."""
    key = principal_of(request).key
    return key.prefix if key is not None else ""


def accepted(response: HttpResponse, job: Job) -> Status[Job]:
    """202 with the job, and where to follow it."""
    response["Location"] = reverse("api:get_job", kwargs={"job_id": job.pk})
    return Status(202, job)


@router.get("", response=list[JobOut], operation_id="list_jobs")
@paginate(Page)
def list_jobs(request: HttpRequest, filters: Query[JobFilters]) -> QuerySet[Job]:
    """Every job, newest first; filter by `kind` and `state`."""
    jobs = Job.objects.select_related("created_by")
    if filters.kind:
        jobs = jobs.filter(kind=filters.kind)
    if filters.state:
        jobs = jobs.filter(state=filters.state)
    return jobs


@router.get("/{int:job_id}", response=JobOut, operation_id="get_job")
def get_job(request: HttpRequest, job_id: int = JOB_ID) -> Job:
    """One job: how far it is, and its result once done."""
    return get_object_or_404(Job.objects.select_related("created_by"), pk=job_id)


@router.get(
    "/{int:job_id}/artefact",
    response={200: None},
    operation_id="get_job_artefact",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file the job produced",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_job_artefact(request: HttpRequest, job_id: int = JOB_ID) -> FileResponse:
    """The file a finished job produced (the council report's PDF)."""
    job = get_object_or_404(Job, pk=job_id)
    if job.state != JobState.DONE or not job.artefact:
        raise Http404(f"job {job.pk} has produced no file (it is {job.state})")
    name = job.result.get("filename") or str(job.artefact.name).rsplit("/", 1)[-1]
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(job.artefact.open("rb"), filename=name, content_type=kind)
