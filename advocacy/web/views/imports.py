"""The import wizard: upload and preview, commit or cancel, then the result and its errors.

The views only move the file and the choices to the CSV pipeline (advocacy.signals.imports),
the same one behind the CLI and the API; every count and every rejected row comes from there.
A file past ADVOCACY_IMPORT_INLINE_MAX_BYTES is previewed and committed by a job: the run's page
shows the job's progress bar meanwhile, and a run that stopped under way can be resumed.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import TextIO, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from advocacy.people.models import User
from advocacy.signals.imports import (
    ImportFileError,
    commit_import,
    preview_import,
    resume_import,
    write_errors_csv,
)
from advocacy.signals.jobs import (
    commit_as_job,
    file_size,
    goes_to_a_job,
    queue_import_job,
    start_import_job,
)
from advocacy.signals.models import ImportRun, ImportStatus
from advocacy.web.forms import ImportUploadForm
from advocacy.web.htmx import render_page
from advocacy.web.views.customers import paginate

ERRORS_SHOWN = 50
RUNS_PER_PAGE = 50


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    runs = ImportRun.objects.select_related("created_by")
    context = {"section": "imports", "page": paginate(request, runs, RUNS_PER_PAGE)}
    return render_page(request, "web/imports/list.html", context, partial="runs")


def _preview_upload(request: HttpRequest, form: ImportUploadForm) -> ImportRun:
    """Hand the uploaded file to the pipeline from a path on disk, then drop the temporary copy;
    a file past the inline size goes to a job, and its run is shown under way."""
    upload: UploadedFile = form.cleaned_data["file"]
    name = upload.name or "upload.csv"
    options = {
        "filename": name,
        "preset": form.cleaned_data["preset"],
        "mapping": form.cleaned_data["mapping_file"],
        "strict": form.cleaned_data["strict"],
        "actor": _actor(request),
    }
    kind, now = form.cleaned_data["kind"], timezone.now()

    def preview(path: Path) -> ImportRun:
        if goes_to_a_job(upload.size):
            job = queue_import_job(kind, path, dry_run=True, now=now, **options)
            return ImportRun.objects.get(job=job)
        return preview_import(kind, path, now=now, **options)

    temporary_path = getattr(upload, "temporary_file_path", None)
    if temporary_path is not None:
        return preview(Path(temporary_path()))
    handle, path = tempfile.mkstemp(suffix=Path(name).suffix or ".csv")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return preview(Path(path))
    finally:
        Path(path).unlink(missing_ok=True)


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the file and how to read it; a good upload lands on its preview."""
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                run = _preview_upload(request, form)
            except ImportFileError as exc:
                message = str(exc)
                field = "mapping_file" if message.startswith("mapping") else "file"
                form.add_error(field, message)
            else:
                return redirect("web:import_detail", pk=run.pk)
    else:
        form = ImportUploadForm(initial={"kind": request.GET.get("kind", "contacts")})
    context = {
        "section": "imports",
        "form": form,
        "max_upload_mb": settings.IMPORT_MAX_UPLOAD_MB,
    }
    status = 400 if form.errors else 200
    return render_page(request, "web/imports/new.html", context, status=status)


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2 (a previewed run: commit or cancel), the run under way (its job's progress, or,
    stopped, the way to resume it) and step 3 (the result)."""
    run = get_object_or_404(ImportRun.objects.select_related("created_by", "job"), pk=pk)
    errors = list(run.row_errors.all()[:ERRORS_SHOWN])
    job = run.job if run.under_way and run.job and not run.job.finished else None
    context = {
        "section": "imports",
        "run": run,
        "errors": errors,
        "errors_shown": len(errors),
        "is_preview": run.status in (ImportStatus.PREVIEWED, ImportStatus.PREVIEWING),
        "step": 2 if run.status in (ImportStatus.PREVIEWED, ImportStatus.PREVIEWING) else 3,
        "job": job,
        "then": "reload",
        "stopped": run.under_way and job is None,
    }
    return render_page(request, "web/imports/detail.html", context)


def _committed_message(request: HttpRequest, run: ImportRun) -> None:
    if run.status == ImportStatus.REJECTED:
        messages.error(
            request,
            f"Strict mode: {run.rejected} bad row(s), so nothing was imported.",
        )
    else:
        messages.success(
            request,
            f"Imported: {run.created} created, {run.updated} updated, "
            f"{run.unchanged} unchanged, {run.rejected} rejected.",
        )


@login_required
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ImportRun, pk=pk)
    if run.status != ImportStatus.PREVIEWED:
        messages.warning(request, f"This import is already {run.get_status_display().lower()}.")
        return redirect("web:import_detail", pk=run.pk)
    try:
        if goes_to_a_job(file_size(run)):
            if commit_as_job(run, actor=_actor(request), now=timezone.now()) is not None:
                return redirect("web:import_detail", pk=run.pk)
        else:
            run = commit_import(run, actor=_actor(request), now=timezone.now())
    except ImportFileError as exc:
        messages.error(request, f"The import could not be committed: {exc}")
        return redirect("web:import_detail", pk=run.pk)
    _committed_message(request, run)
    return redirect("web:import_detail", pk=run.pk)


@login_required
@require_POST
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Take up a run that stopped under way from the rows it holds (nothing twice)."""
    run = get_object_or_404(ImportRun, pk=pk)
    if not run.under_way:
        messages.warning(request, f"This import is {run.get_status_display().lower()}.")
        return redirect("web:import_detail", pk=run.pk)
    try:
        if goes_to_a_job(file_size(run)):
            start_import_job(run, actor=_actor(request), now=timezone.now())
            return redirect("web:import_detail", pk=run.pk)
        run = resume_import(run, actor=_actor(request), now=timezone.now())
    except ImportFileError as exc:
        messages.error(request, f"The import could not be resumed: {exc}")
        return redirect("web:import_detail", pk=run.pk)
    if run.status == ImportStatus.PREVIEWED:
        messages.success(request, "Preview resumed and finished.")
    else:
        _committed_message(request, run)
    return redirect("web:import_detail", pk=run.pk)


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Drop a previewed run and its stored copy of the file; a finished run stays as history."""
    run = get_object_or_404(ImportRun, pk=pk)
    if run.status != ImportStatus.PREVIEWED:
        messages.warning(request, "Only a previewed import can be cancelled.")
        return redirect("web:import_detail", pk=run.pk)
    filename = run.filename
    if run.upload:
        run.upload.delete(save=False)
    run.delete()
    messages.info(request, f"Import of {filename} cancelled; nothing was written.")
    return redirect("web:imports")


@login_required
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """Every rejected row of a run as CSV (formula-looking cells neutralised by the writer)."""
    run = get_object_or_404(ImportRun, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(run.filename).stem).strip("._") or "import"
    response["Content-Disposition"] = f'attachment; filename="{stem}-errors-{run.pk}.csv"'
    write_errors_csv(run, cast(TextIO, response))
    return response
