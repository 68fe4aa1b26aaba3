"""Jobs: long work out of the request (big imports, simulations, profile refreshes, council
PDFs), the list of them, one with its progress bar, and the file a job produced.

A job's page shows a <progress> bar that htmx refreshes every second (`hx-trigger="every 1s"`
on the bar's block, swapped with the partial "progress" of the same address) until the job is
done or failed; the finished partial has no trigger, so the polling stops. Another page that
shows the bar (an import, a simulation) asks with `?then=reload`: the finished answer then
carries `HX-Refresh`, and that page shows the result in place.
"""

from __future__ import annotations

import mimetypes

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from advocacy.core.jobs import KINDS
from advocacy.core.models import Job, JobState
from advocacy.web.htmx import render_page, wants_partial
from advocacy.web.views.customers import paginate

JOBS_PER_PAGE = 50


def kind_labels() -> dict[str, str]:
    return {name: kind.label for name, kind in KINDS.items()}


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.select_related("created_by")
    context = {
        "section": "jobs",
        "page": paginate(request, jobs, JOBS_PER_PAGE),
        "kinds": kind_labels(),
    }
    return render_page(request, "web/jobs/list.html", context, partial="jobs")


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(Job.objects.select_related("created_by"), pk=pk)
    context = {"section": "jobs", "job": job, "kinds": kind_labels()}
    response = render_page(request, "web/jobs/detail.html", context, partial="progress")
    if job.finished and wants_partial(request) and request.GET.get("then") == "reload":
        response["HX-Refresh"] = "true"  # the page around the bar shows the result itself
    return response


@login_required
def job_artefact(request: HttpRequest, pk: int) -> FileResponse:
    """The file a finished job produced (the council report's PDF)."""
    job = get_object_or_404(Job, pk=pk)
    if job.state != JobState.DONE or not job.artefact:
        raise Http404(f"job {job.pk} has produced no file")
    name = job.result.get("filename") or str(job.artefact.name).rsplit("/", 1)[-1]
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(job.artefact.open("rb"), filename=name, content_type=kind)
