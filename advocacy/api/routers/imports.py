"""/api/imports: upload a CSV file of accounts, contacts or signals; read the run's counts.

The same pipeline as the CLI and the web wizard (advocacy.signals.imports). The upload is kept
in a temporary file for the run; a preview (`dry_run`) keeps its own copy, so it can be
committed later with POST /api/imports/{id}/commit. A file larger than
ADVOCACY_IMPORT_INLINE_MAX_BYTES is imported by a job (202, see /api/jobs) from a copy kept with
its run; a run that stopped under way is taken up again with POST /api/imports/{id}/resume.
"""

import codecs
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form
from ninja import Path as PathParam
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.routers.import_schemas import ImportIn, ImportRunOut
from advocacy.api.routers.jobs import STARTED, STARTED_HEADERS, accepted, key_prefix
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, Page
from advocacy.signals.imports import (
    ImportFileError,
    commit_import,
    preview_import,
    resume_import,
    run_import,
    write_errors_csv,
)
from advocacy.signals.jobs import (
    commit_as_job,
    file_size,
    goes_to_a_job,
    queue_import_job,
    start_import_job,
)
from advocacy.signals.models import ImportRun

router = ScopedRouter(tags=["imports"])
WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


def _save_text_upload(upload: UploadedFile, path: Path) -> None:
    """Copy the upload to `path`, refusing NUL bytes unless a UTF-16/32 BOM explains them.

    A NUL byte in a byte-oriented CSV is binary data, and PostgreSQL stores no NUL in text.
    """
    wide = False
    with path.open("wb") as out:
        for number, chunk in enumerate(upload.chunks()):
            if number == 0:
                wide = chunk.startswith(WIDE_BOMS)
            if not wide and b"\x00" in chunk:
                raise HttpError(
                    422,
                    f"{upload.name}: contains NUL bytes: expected a text CSV file (UTF-8, "
                    "UTF-16 with its byte order mark, or a Windows code page)",
                )
            out.write(chunk)


@router.post(
    "",
    response={201: ImportRunOut, **STARTED},
    operation_id="create_import",
    openapi_extra=STARTED_HEADERS,
)
def create_import(
    request: HttpRequest, response: HttpResponse, form: Form[ImportIn], file: File[UploadedFile]
) -> Status[Any]:
    """Import a CSV file (or only preview it with `dry_run`): 201 with the run and its counts,
    or, for a file past ADVOCACY_IMPORT_INLINE_MAX_BYTES, 202 with the job doing it."""
    limit = settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024
    if file.size is not None and file.size > limit:
        raise HttpError(413, f"file is {file.size} bytes, at most {limit} allowed")
    actor, now = principal_of(request).user, timezone.now()
    filename = Path(file.name or "upload.csv").name
    with tempfile.TemporaryDirectory(prefix="advocacy-import-") as folder:
        path = Path(folder) / "upload.csv"
        _save_text_upload(file, path)
        options: dict[str, Any] = {
            "filename": filename,
            "preset": form.preset or None,
            "mapping": form.mapping_dict(),
            "strict": form.strict,
            "actor": actor,
        }
        if goes_to_a_job(path.stat().st_size):
            job = queue_import_job(
                form.kind,
                path,
                dry_run=form.dry_run,
                now=now,
                api_key=key_prefix(request),
                **options,
            )
            return accepted(response, job)
        start = preview_import if form.dry_run else run_import
        run = start(form.kind, path, now=now, **options)
    return Status(201, run)


@router.post(
    "/{int:run_id}/commit",
    response={200: ImportRunOut, **STARTED},
    operation_id="commit_import",
    openapi_extra=STARTED_HEADERS,
)
def commit_previewed_import(
    request: HttpRequest, response: HttpResponse, run_id: int = PathParam(..., ge=1, le=MAX_ID)
) -> Any:
    """Commit a previewed import from its stored copy of the file: 200 with the run, or 202
    with the job doing it when the file is past ADVOCACY_IMPORT_INLINE_MAX_BYTES."""
    run = get_object_or_404(ImportRun, pk=run_id)
    actor, now = principal_of(request).user, timezone.now()
    if goes_to_a_job(file_size(run)):
        job = commit_as_job(run, actor=actor, now=now, api_key=key_prefix(request))
        return run if job is None else accepted(response, job)
    return commit_import(run, actor=actor, now=now)


@router.post(
    "/{int:run_id}/resume",
    response={200: ImportRunOut, **STARTED},
    operation_id="resume_import",
    openapi_extra=STARTED_HEADERS,
)
def resume_stopped_import(
    request: HttpRequest, response: HttpResponse, run_id: int = PathParam(..., ge=1, le=MAX_ID)
) -> Any:
    """Take up an import that stopped under way (previewing or committing: a killed process,
    a failed job) from the rows it holds, from its stored copy: nothing is written or counted
    twice. 200 with the run, or 202 with the job for a file past the inline size."""
    run = get_object_or_404(ImportRun, pk=run_id)
    if not run.under_way:
        raise ImportFileError(
            f"import {run.pk} is {run.get_status_display().lower()}: only an import under way "
            "(previewing or committing) can be resumed"
        )
    actor, now = principal_of(request).user, timezone.now()
    if goes_to_a_job(file_size(run)):
        return accepted(
            response, start_import_job(run, actor=actor, now=now, api_key=key_prefix(request))
        )
    return resume_import(run, actor=actor, now=now)


@router.get("", response=list[ImportRunOut], operation_id="list_imports")
@paginate(Page)
def list_imports(request: HttpRequest) -> QuerySet[ImportRun]:
    """Every import, newest first."""
    return ImportRun.objects.all()


@router.get("/{int:run_id}", response=ImportRunOut, operation_id="get_import")
def get_import(request: HttpRequest, run_id: int = PathParam(..., ge=1, le=MAX_ID)) -> ImportRun:
    """One import run with its counts."""
    return get_object_or_404(ImportRun, pk=run_id)


@router.get(
    "/{int:run_id}/errors.csv",
    response={200: None},
    operation_id="get_import_errors",
    url_name="import_errors",
    openapi_extra={
        "responses": {
            "200": {
                "description": "line, column, expected, found, message",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def get_import_errors(
    request: HttpRequest, run_id: int = PathParam(..., ge=1, le=MAX_ID)
) -> HttpResponse:
    """The rejected rows as CSV; formula-looking cells are neutralised for spreadsheets."""
    run = get_object_or_404(ImportRun, pk=run_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.csv"'
    write_errors_csv(run, response)  # type: ignore[arg-type]  # HttpResponse is file-like
    return response
