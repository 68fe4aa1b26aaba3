"""Preview, commit and run imports; every run is an ImportRun row with its rejected rows.

- `preview_import` reads and validates the whole file, counts what a commit would do, stores the
  rejected rows and a copy of the file, and writes nothing else.
- `commit_import` replays a previewed run from its copy: good rows in, bad rows reported; in
  strict mode any bad row means nothing is written (status "rejected").
- `run_import` is both in one pass (the CLI): the writes go chunk by chunk, or, in strict mode,
  in one transaction rolled back if any row is bad. `dry_run` stops at the preview.
Rejected rows are counted in full; at most settings.IMPORT_MAX_STORED_ERRORS are stored.
"""

from __future__ import annotations

import csv
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

from advocacy.signals.imports.presets import plan_import
from advocacy.signals.imports.processing import PROCESSORS, ChunkResult, RowError
from advocacy.signals.imports.reading import CsvSource, FileFormat, ImportFileError, detect_format
from advocacy.signals.models import ImportRowError, ImportRun, ImportStatus

Progress = Callable[[int, int], None]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TRANSACTION_SECONDS = 2.0


class _StrictRollback(Exception):
    """Raised inside the strict transaction to undo every write of a run with bad rows."""


class _ErrorSink:
    """Keeps the first IMPORT_MAX_STORED_ERRORS row errors of a run, saving them in batches."""

    def __init__(self, run: ImportRun, *, buffer_all: bool) -> None:
        self.run = run
        self.limit = settings.IMPORT_MAX_STORED_ERRORS
        self.stored = 0
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
) -> ChunkResult:
    """Read the file in chunks through the kind's processor; return the totals."""
    totals = ChunkResult()
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
        processor = PROCESSORS[run.kind](plan, actor=actor, now=now, write=write)
        rows = source.rows()
        size = settings.IMPORT_CHUNK_SIZE
        run.rows_total = 0
        more = True
        while more:
            # Chunks are grouped into transactions of about TRANSACTION_SECONDS: a commit per
            # chunk would make SQLite checkpoint the same index pages over and over, and one
            # transaction for the whole file would hold the write lock for minutes.
            with transaction.atomic():
                deadline = monotonic() + TRANSACTION_SECONDS
                while monotonic() < deadline:
                    chunk = list(islice(rows, size))
                    if not chunk:
                        more = False
                        break
                    result = processor.process(chunk)
                    run.rows_total += len(chunk)
                    totals.created += result.created
                    totals.updated += result.updated
                    totals.unchanged += result.unchanged
                    totals.rejected += result.rejected
                    sink.add(result.errors)
                    if progress is not None:
                        progress(source.bytes_done, source.total_bytes)
        if progress is not None:
            progress(source.total_bytes, source.total_bytes)
    return totals


def _finish(run: ImportRun, totals: ChunkResult, status: str, now: datetime) -> ImportRun:
    run.created, run.updated = totals.created, totals.updated
    run.unchanged, run.rejected = totals.unchanged, totals.rejected
    run.status = status
    run.finished_at = now
    run.save()
    return run


def _fail(run: ImportRun, exc: ImportFileError, now: datetime) -> None:
    """Keep the failed run (and why) for the import history, then let the error go up."""
    run.status = ImportStatus.FAILED
    run.finished_at = now
    run.save()
    ImportRowError.objects.filter(run=run).delete()
    ImportRowError.objects.create(
        run=run, line=0, expected="a usable CSV file", found=run.filename, message=str(exc)[:500]
    )


def _start(
    kind: str,
    path: Path,
    *,
    filename: str | None,
    preset: str | None,
    mapping: Mapping[str, Any] | None,
    strict: bool,
    actor: Any,
) -> ImportRun:
    return ImportRun.objects.create(
        kind=kind,
        status=ImportStatus.FAILED,  # until it finishes
        filename=(filename or path.name)[:255],
        preset=preset or "",
        strict=strict,
        mapping={"given": dict(mapping or {})},
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def _preview(
    run: ImportRun,
    path: Path,
    mapping: Mapping[str, Any] | None,
    *,
    actor: Any,
    now: datetime,
    progress: Progress | None,
) -> ImportRun:
    try:
        fmt = detect_format(path)
        run.encoding, run.delimiter = fmt.encoding, fmt.delimiter
        sink = _ErrorSink(run, buffer_all=False)
        totals = _stream(
            run,
            path,
            fmt,
            mapping,
            actor=actor,
            now=now,
            write=False,
            sink=sink,
            progress=progress,
        )
    except ImportFileError as exc:
        _fail(run, exc, now)
        raise
    return _finish(run, totals, ImportStatus.PREVIEWED, now)


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
    run = _start(
        kind, path, filename=filename, preset=preset, mapping=mapping, strict=strict, actor=actor
    )
    with path.open("rb") as f:
        run.upload.save(run.filename, File(f), save=True)
    return _preview(run, path, mapping, actor=actor, now=now, progress=progress)


def _commit(
    run: ImportRun, path: Path, *, actor: Any, now: datetime, progress: Progress | None
) -> ImportRun:
    fmt = FileFormat(run.encoding, run.delimiter) if run.encoding else detect_format(path)
    run.encoding, run.delimiter = fmt.encoding, fmt.delimiter
    given = run.mapping.get("given") or None
    ImportRowError.objects.filter(run=run).delete()
    sink = _ErrorSink(run, buffer_all=run.strict)
    try:
        if not run.strict:
            totals = _stream(
                run,
                path,
                fmt,
                given,
                actor=actor,
                now=now,
                write=True,
                sink=sink,
                progress=progress,
            )
            return _finish(run, totals, ImportStatus.COMMITTED, now)
        try:
            with transaction.atomic():
                totals = _stream(
                    run,
                    path,
                    fmt,
                    given,
                    actor=actor,
                    now=now,
                    write=True,
                    sink=sink,
                    progress=progress,
                )
                if totals.rejected:
                    raise _StrictRollback
        except _StrictRollback:
            sink.flush()
            return _finish(run, totals, ImportStatus.REJECTED, now)
        sink.flush()
        return _finish(run, totals, ImportStatus.COMMITTED, now)
    except ImportFileError as exc:
        _fail(run, exc, now)
        raise


def commit_import(
    run: ImportRun, *, actor: Any, now: datetime, progress: Progress | None = None
) -> ImportRun:
    """Commit a previewed run from its stored copy of the file."""
    if run.status != ImportStatus.PREVIEWED:
        raise ImportFileError(
            f"import {run.pk} is {run.get_status_display().lower()}: only a previewed import "
            "can be committed"
        )
    if not run.upload:
        raise ImportFileError(f"import {run.pk} kept no copy of its file: import it again")
    if run.strict and run.rejected:
        run.status = ImportStatus.REJECTED
        run.finished_at = now
        run.save(update_fields=["status", "finished_at"])
        return run
    return _commit(run, Path(run.upload.path), actor=actor, now=now, progress=progress)


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
    run = _start(
        kind, path, filename=filename, preset=preset, mapping=mapping, strict=strict, actor=actor
    )
    if dry_run:
        return _preview(run, path, mapping, actor=actor, now=now, progress=progress)
    try:
        fmt = detect_format(path)
    except ImportFileError as exc:
        _fail(run, exc, now)
        raise
    run.encoding, run.delimiter = fmt.encoding, fmt.delimiter
    return _commit(run, path, actor=actor, now=now, progress=progress)


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
