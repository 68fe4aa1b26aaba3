"""Preview, commit, run and resume imports; every run is an ImportRun row with its rejected rows.

- `preview_import` reads and validates the whole file, counts what a commit would do, stores the
  rejected rows and a copy of the file, and writes nothing else.
- `commit_import` replays a previewed run from its copy: good rows in, bad rows reported; in
  strict mode any bad row means nothing is written (status "rejected").
- `run_import` is both in one pass (the CLI): the writes go chunk by chunk, or, in strict mode,
  in one transaction rolled back if any row is bad. `dry_run` stops at the preview.
- `queue_import` records a run (with a copy of its file) for a job to do; the job, like anyone
  resuming a run that stopped, calls `resume_import`.

A pass writes the run's counts with every chunk, in the chunk's transaction, so the run always
says what is done: a killed process leaves it "committing" (or "previewing") with exactly the
rows its committed chunks hold. `resume_import` takes the run over (the next `attempt`: the
old pass, if alive, can keep no further chunk) and goes on from there, rows already done taken
in again without being written, so the run's counts add up to the file's rows and no row is
written twice. Rejected rows are counted in full; at most settings.IMPORT_MAX_STORED_ERRORS are
stored.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime
from itertools import islice
from pathlib import Path
from time import monotonic
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Now

from advocacy.signals.imports.presets import plan_import
from advocacy.signals.imports.processing import PROCESSORS, RowError
from advocacy.signals.imports.reading import CsvSource, FileFormat, ImportFileError, detect_format
from advocacy.signals.models import UNDER_WAY, ImportRowError, ImportRun, ImportStatus

Progress = Callable[[int, int], None]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TRANSACTION_SECONDS = 2.0
COUNTS = ("rows_total", "created", "updated", "unchanged", "rejected")


class ImportSuperseded(ImportFileError):
    """Another pass took the run over (it was resumed): this one keeps nothing more."""


class _StrictRollback(Exception):
    """Raised inside the strict transaction to undo every write of a run with bad rows."""


class _ErrorSink:
    """Keeps the first IMPORT_MAX_STORED_ERRORS row errors of a run, saving them in batches."""

    def __init__(self, run: ImportRun, *, buffer_all: bool, stored: int = 0) -> None:
        self.run = run
        self.limit = settings.IMPORT_MAX_STORED_ERRORS
        self.stored = stored
        self.buffer_all = buffer_all
        self.pending: list[ImportRowError] = []

    def add(self, errors: list[RowError]) -> None:
        room = self.limit - self.stored
        if room <= 0 or not errors:
            return
        self.pending.extend(
            ImportRowError(
                run=self.run,
                line=e.line,
                column=e.column[:255],
                expected=e.expected[:255],
                found=e.found,
                message=e.message[:500],
            )
            for e in errors[:room]
        )
        self.stored += min(room, len(errors))
        if not self.buffer_all:
            self.flush()

    def flush(self) -> None:
        ImportRowError.objects.bulk_create(self.pending, batch_size=1000)
        self.pending = []


def _timezone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def fingerprint(path: Path) -> tuple[int, str]:
    """The file's size and SHA-256: a run is resumed only with the very file it read."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _save(run: ImportRun, **fields: Any) -> None:
    """Write the run's counts (and `fields`) while this pass still holds the run."""
    kept = ImportRun.objects.filter(pk=run.pk, attempt=run.attempt).update(
        **{name: getattr(run, name) for name in COUNTS}, progressed_at=Now(), **fields
    )
    if not kept:
        raise ImportSuperseded(
            f"import {run.pk} was taken over by a newer pass (it was resumed); this pass stopped"
        )


def _stream(
    run: ImportRun,
    path: Path,
    fmt: FileFormat,
    given_mapping: Mapping[str, Any] | None,
    *,
    actor: Any,
    now: datetime,
    write: bool,
    sink: _ErrorSink,
    progress: Progress | None,
    skip: int,
) -> None:
    """Read the file in chunks through the kind's processor, adding to the run's counts; the
    first `skip` rows (done by an earlier pass) are taken in again but neither counted nor
    written."""
    with CsvSource(path, fmt) as source:
        plan = plan_import(
            run.kind,
            source.header,
            preset=run.preset or None,
            mapping=given_mapping,
            tz=_timezone(),
        )
        run.preset = plan.preset
        run.mapping = {"given": dict(given_mapping or {}), **plan.describe()}
        _save(run, **_described(run))
        processor = PROCESSORS[run.kind](plan, actor=actor, now=now, write=write)
        rows = source.rows()
        size = settings.IMPORT_CHUNK_SIZE
        while skip > 0:
            chunk = list(islice(rows, min(size, skip)))
            if not chunk:
                break
            processor.remember(chunk)
            skip -= len(chunk)
            if progress is not None:
                progress(source.bytes_done, source.total_bytes)
        more = True
        while more:
            # Chunks are grouped into transactions of about TRANSACTION_SECONDS: a commit per
            # chunk would make SQLite checkpoint the same index pages over and over, and one
            # transaction for the whole file would hold the write lock for minutes. Each chunk
            # writes the run's counts in that transaction, so they commit with its rows.
            with transaction.atomic():
                deadline = monotonic() + TRANSACTION_SECONDS
                while more:
                    chunk = list(islice(rows, size))
                    if not chunk:
                        more = False
                        break
                    result = processor.process(chunk)
                    run.rows_total += len(chunk)
                    run.created += result.created
                    run.updated += result.updated
                    run.unchanged += result.unchanged
                    run.rejected += result.rejected
                    sink.add(result.errors)
                    _save(run)
                    if progress is not None:
                        progress(source.bytes_done, source.total_bytes)
                    if monotonic() >= deadline:
                        break
        if progress is not None:
            progress(source.total_bytes, source.total_bytes)


def _described(run: ImportRun) -> dict[str, Any]:
    return {
        "preset": run.preset,
        "mapping": run.mapping,
        "encoding": run.encoding,
        "delimiter": run.delimiter,
    }


def _finish(run: ImportRun, status: str, now: datetime) -> ImportRun:
    _save(run, status=status, finished_at=now, **_described(run))
    run.refresh_from_db()
    return run


def _fail(run: ImportRun, exc: ImportFileError, now: datetime) -> None:
    """Keep the failed run (with its true counts, and why) for the history; the caller raises."""
    try:
        _save(run, status=ImportStatus.FAILED, finished_at=now, **_described(run))
    except ImportSuperseded:
        return
    run.status = ImportStatus.FAILED
    run.finished_at = now
    ImportRowError.objects.create(
        run=run, line=0, expected="a usable CSV file", found=run.filename, message=str(exc)[:500]
    )


def _create(
    kind: str,
    path: Path,
    *,
    filename: str | None,
    preset: str | None,
    mapping: Mapping[str, Any] | None,
    strict: bool,
    actor: Any,
    status: str,
    attempt: int,
) -> ImportRun:
    size, checksum = fingerprint(path)
    return ImportRun.objects.create(
        kind=kind,
        status=status,
        filename=(filename or path.name)[:255],
        preset=preset or "",
        strict=strict,
        mapping={"given": dict(mapping or {})},
        created_by=actor if getattr(actor, "pk", None) else None,
        file_bytes=size,
        checksum=checksum,
        attempt=attempt,
    )


def _keep_copy(run: ImportRun, path: Path) -> None:
    with path.open("rb") as f:
        run.upload.save(run.filename, File(f), save=False)
    ImportRun.objects.filter(pk=run.pk).update(upload=run.upload.name)


def _pass(
    run: ImportRun,
    path: Path,
    *,
    actor: Any,
    now: datetime,
    progress: Progress | None,
    skip: int = 0,
) -> ImportRun:
    """The run's pass, as its status says (previewing or committing), from row `skip` on."""
    write = run.status == ImportStatus.COMMITTING
    try:
        fmt = FileFormat(run.encoding, run.delimiter) if run.encoding else detect_format(path)
        run.encoding, run.delimiter = fmt.encoding, fmt.delimiter
        given = run.mapping.get("given") or None
        strict = write and run.strict
        stored = ImportRowError.objects.filter(run=run).count() if skip else 0
        sink = _ErrorSink(run, buffer_all=strict, stored=stored)

        def stream() -> None:
            _stream(
                run,
                path,
                fmt,
                given,
                actor=actor,
                now=now,
                write=write,
                sink=sink,
                progress=progress,
                skip=skip,
            )

        if not strict:
            stream()
            return _finish(run, ImportStatus.COMMITTED if write else ImportStatus.PREVIEWED, now)
        try:
            with transaction.atomic():
                stream()
                if run.rejected:
                    raise _StrictRollback
        except _StrictRollback:
            sink.flush()
            return _finish(run, ImportStatus.REJECTED, now)
        sink.flush()
        return _finish(run, ImportStatus.COMMITTED, now)
    except ImportSuperseded:
        raise
    except ImportFileError as exc:
        _fail(run, exc, now)
        raise


def preview_import(
    kind: str,
    path: Path,
    *,
    filename: str | None = None,
    preset: str | None = None,
    mapping: Mapping[str, Any] | None = None,
    strict: bool = False,
    actor: Any = None,
    now: datetime,
    progress: Progress | None = None,
) -> ImportRun:
    """Validate the file and count its consequences; keep a copy for `commit_import`."""
    path = Path(path)
    run = _create(
        kind,
        path,
        filename=filename,
        preset=preset,
        mapping=mapping,
        strict=strict,
        actor=actor,
        status=ImportStatus.PREVIEWING,
        attempt=1,
    )
    _keep_copy(run, path)
    return _pass(run, path, actor=actor, now=now, progress=progress)


def begin_commit(run: ImportRun, *, now: datetime) -> ImportRun:
    """Take a previewed run to its commit: "committing" from row 0 (its preview's counts and
    rejected rows give way to the commit's), or at once "rejected" when it is strict and its
    preview found bad rows. Only one caller can take it (a conditional UPDATE)."""
    if not run.upload and run.status == ImportStatus.PREVIEWED:
        raise ImportFileError(f"import {run.pk} kept no copy of its file: import it again")
    previewed = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.PREVIEWED)
    with transaction.atomic():
        if run.strict and run.rejected:
            taken = previewed.update(status=ImportStatus.REJECTED, finished_at=now)
        else:
            taken = previewed.update(
                status=ImportStatus.COMMITTING,
                attempt=F("attempt") + 1,
                finished_at=None,
                progressed_at=Now(),
                **dict.fromkeys(COUNTS, 0),
            )
            if taken:
                ImportRowError.objects.filter(run=run).delete()
    run.refresh_from_db()
    if not taken:
        raise ImportFileError(
            f"import {run.pk} is {run.get_status_display().lower()}: only a previewed import "
            "can be committed"
        )
    return run


def commit_import(
    run: ImportRun, *, actor: Any, now: datetime, progress: Progress | None = None
) -> ImportRun:
    """Commit a previewed run from its stored copy of the file."""
    run = begin_commit(run, now=now)
    if run.status == ImportStatus.REJECTED:
        return run
    return _pass(run, Path(run.upload.path), actor=actor, now=now, progress=progress)


def run_import(
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
    progress: Progress | None = None,
) -> ImportRun:
    """Import a file in one go (no stored copy): a preview when `dry_run`, else a commit."""
    path = Path(path)
    run = _create(
        kind,
        path,
        filename=filename,
        preset=preset,
        mapping=mapping,
        strict=strict,
        actor=actor,
        status=ImportStatus.PREVIEWING if dry_run else ImportStatus.COMMITTING,
        attempt=1,
    )
    return _pass(run, path, actor=actor, now=now, progress=progress)


def queue_import(
    kind: str,
    path: Path,
    *,
    filename: str | None = None,
    preset: str | None = None,
    mapping: Mapping[str, Any] | None = None,
    strict: bool = False,
    dry_run: bool = False,
    actor: Any = None,
) -> ImportRun:
    """Record a run for a job to do (`resume_import` from row 0), with its own copy of the file."""
    path = Path(path)
    run = _create(
        kind,
        path,
        filename=filename,
        preset=preset,
        mapping=mapping,
        strict=strict,
        actor=actor,
        status=ImportStatus.PREVIEWING if dry_run else ImportStatus.COMMITTING,
        attempt=0,
    )
    _keep_copy(run, path)
    return run


def _file_of(run: ImportRun, path: Path | None) -> Path:
    """The file to resume `run` from: `path`, else the run's copy; refused unless the same."""
    if path is None:
        if not run.upload:
            raise ImportFileError(
                f"import {run.pk} kept no copy of its file: resume it with the file it read"
            )
        path = Path(run.upload.path)
    if not path.is_file():
        raise ImportFileError(f"{path.name}: no such file")
    if run.checksum and fingerprint(path) != (run.file_bytes, run.checksum):
        raise ImportFileError(
            f"{path.name} is not the file import {run.pk} read ({run.file_bytes:,} bytes, "
            f"SHA-256 {run.checksum[:12]}…): resume it with that same file"
        )
    return path


def resume_import(
    run: ImportRun,
    *,
    actor: Any,
    now: datetime,
    path: Path | None = None,
    progress: Progress | None = None,
) -> ImportRun:
    """Go on with a run under way (previewing or committing) from the rows it holds: a run a
    killed process or a failed job left behind, or one a job was queued to do. It is taken from
    any pass still at it, which then keeps nothing more."""
    source = _file_of(run, Path(path) if path is not None else None)
    taken = ImportRun.objects.filter(pk=run.pk, status__in=UNDER_WAY).update(
        attempt=F("attempt") + 1, finished_at=None, progressed_at=Now()
    )
    run.refresh_from_db()
    if not taken:
        raise ImportFileError(
            f"import {run.pk} is {run.get_status_display().lower()}: only an import under way "
            "(previewing or committing) can be resumed"
        )
    return _pass(run, source, actor=actor, now=now, progress=progress, skip=run.rows_total)


def neutralise(cell: str) -> str:
    """Prefix a formula-looking cell with a quote so a spreadsheet shows it as text."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def write_errors_csv(run: ImportRun, out: TextIO) -> None:
    """Write the run's rejected rows as CSV: line, column, expected, found, message."""
    writer = csv.writer(out)
    writer.writerow(["line", "column", "expected", "found", "message"])
    rows = run.row_errors.order_by("line", "id").values_list(
        "line", "column", "expected", "found", "message"
    )
    for line, column, expected, found, message in rows.iterator(chunk_size=2000):
        writer.writerow(
            [line, neutralise(column), neutralise(expected), neutralise(found), neutralise(message)]
        )
