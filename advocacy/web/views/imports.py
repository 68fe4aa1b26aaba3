"""The import wizard: upload and preview, commit or cancel, then the result and its errors.

The views only move the file and the choices to the CSV pipeline (advocacy.signals.imports),
the same one behind the CLI and the API; every count and every rejected row comes from there.
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
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from advocacy.people.models import User
from advocacy.signals.imports import (
    ImportFileError,
    commit_import,
    preview_import,
    write_errors_csv,
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
    """Hand the uploaded file to the pipeline from a path on disk, then drop the temporary copy."""
    upload: UploadedFile = form.cleaned_data["file"]
    name = upload.name or "upload.csv"
    temporary_path = getattr(upload, "temporary_file_path", None)
    if temporary_path is not None:
        return preview_import(
            form.cleaned_data["kind"],
            Path(temporary_path()),
            filename=name,
            preset=form.cleaned_data["preset"],
            mapping=form.cleaned_data["mapping_file"],
            strict=form.cleaned_data["strict"],
            actor=_actor(request),
            now=timezone.now(),
        )
    handle, path = tempfile.mkstemp(suffix=Path(name).suffix or ".csv")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return preview_import(
            form.cleaned_data["kind"],
            Path(path),
            filename=name,
            preset=form.cleaned_data["preset"],
            mapping=form.cleaned_data["mapping_file"],
            strict=form.cleaned_data["strict"],
            actor=_actor(request),
            now=timezone.now(),
        )
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
    """Step 2 (a previewed run: commit or cancel) and step 3 (the result)."""
    run = get_object_or_404(ImportRun.objects.select_related("created_by"), pk=pk)
    errors = list(run.row_errors.all()[:ERRORS_SHOWN])
    context = {
        "section": "imports",
        "run": run,
        "errors": errors,
        "errors_shown": len(errors),
        "is_preview": run.status == ImportStatus.PREVIEWED,
        "step": 2 if run.status == ImportStatus.PREVIEWED else 3,
    }
    return render_page(request, "web/imports/detail.html", context)


@login_required
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        run = get_object_or_404(ImportRun.objects.select_for_update(), pk=pk)
        if run.status != ImportStatus.PREVIEWED:
            messages.warning(request, f"This import is already {run.get_status_display().lower()}.")
            return redirect("web:import_detail", pk=run.pk)
    try:
        run = commit_import(run, actor=_actor(request), now=timezone.now())
    except ImportFileError as exc:
        messages.error(request, f"The import could not be committed: {exc}")
        return redirect("web:import_detail", pk=run.pk)
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
