"""/api/imports: upload a CSV file of accounts, contacts or signals; read the run's counts.

The same pipeline as the CLI and the web wizard (advocacy.signals.imports). The upload is kept
in a temporary file for the run; a preview (`dry_run`) keeps its own copy, so it can be
committed later with POST /api/imports/{id}/commit.
"""

import codecs
import tempfile
from pathlib import Path

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
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, Page
from advocacy.signals.imports import commit_import, preview_import, run_import, write_errors_csv
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


@router.post("", response={201: ImportRunOut}, operation_id="create_import")
def create_import(
    request: HttpRequest, form: Form[ImportIn], file: File[UploadedFile]
) -> Status[ImportRun]:
    """Import a CSV file (or only preview it with `dry_run`); answers the run with its counts."""
    limit = settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024
    if file.size is not None and file.size > limit:
        raise HttpError(413, f"file is {file.size} bytes, at most {limit} allowed")
    actor, now = principal_of(request).user, timezone.now()
    filename = Path(file.name or "upload.csv").name
    with tempfile.TemporaryDirectory(prefix="advocacy-import-") as folder:
        path = Path(folder) / "upload.csv"
        _save_text_upload(file, path)
        start = preview_import if form.dry_run else run_import
        run = start(
            form.kind,
            path,
            filename=filename,
            preset=form.preset or None,
            mapping=form.mapping_dict(),
            strict=form.strict,
            actor=actor,
            now=now,
        )
    return Status(201, run)


@router.post("/{int:run_id}/commit", response={200: ImportRunOut}, operation_id="commit_import")
def commit_previewed_import(
    request: HttpRequest, run_id: int = PathParam(..., ge=1, le=MAX_ID)
) -> ImportRun:
    """Commit a previewed import from its stored copy of the file."""
    run = get_object_or_404(ImportRun, pk=run_id)
    return commit_import(run, actor=principal_of(request).user, now=timezone.now())


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
