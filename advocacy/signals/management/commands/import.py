"""`advocacy import accounts|contacts|signals FILE`: the CSV import pipeline from a terminal.

The import runs in this process, with a progress bar on stderr. `--resume RUN` takes up a run
that stopped under way (the process was killed) from the rows it holds, reading FILE again
(it must be the very file: same size and SHA-256).

Exit status: 0 when the import ran (rejected rows, if any, are reported), 1 when the file or
mapping is unusable, 2 when --strict refused the file (nothing written).
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.table import Table

from advocacy.core.management.output import output_console
from advocacy.core.management.progress import progress_bar
from advocacy.signals.imports import (
    PRESETS,
    ImportFileError,
    load_mapping_file,
    resume_import,
    run_import,
    write_errors_csv,
)
from advocacy.signals.models import ImportKind, ImportRun, ImportStatus

SHOWN_ERRORS = 10
JSON_ERRORS = 100


class Command(BaseCommand):
    help = "Import accounts, contacts or signals from a CSV file (any encoding and delimiter)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--preset",
            choices=sorted(PRESETS),
            help="column names of the tool that exported the file (default: ours)",
        )
        parser.add_argument("--mapping", type=Path, help="a YAML or JSON mapping file")
        parser.add_argument("--dry-run", action="store_true", help="validate and count only")
        parser.add_argument("--strict", action="store_true", help="write nothing if any row is bad")
        parser.add_argument("--report", type=Path, help="write the rejected rows to this CSV")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument(
            "--resume",
            type=int,
            metavar="RUN",
            help="take up run RUN that stopped under way, from the rows it holds (FILE: the "
            "same file)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            mapping = load_mapping_file(options["mapping"]) if options["mapping"] else None
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        label = f"{'resuming' if options['resume'] else 'importing'} {options['kind']}"
        with progress_bar(self.stderr, label, unit="bytes", total=path.stat().st_size) as update:
            try:
                if options["resume"]:
                    run = resume_import(
                        self.stopped_run(options),
                        path=path,
                        actor=None,
                        now=timezone.now(),
                        progress=update,
                    )
                else:
                    run = run_import(
                        options["kind"],
                        path,
                        filename=path.name,
                        preset=options["preset"],
                        mapping=mapping,
                        strict=options["strict"],
                        dry_run=options["dry_run"],
                        now=timezone.now(),
                        progress=update,
                    )
            except ImportFileError as exc:
                raise CommandError(f"{path.name}: {exc}") from exc
        if options["report"]:
            with options["report"].open("w", encoding="utf-8", newline="") as out:
                write_errors_csv(run, out)
        if options["json"]:
            self.stdout.write(json.dumps(self.as_json(run, options)))
        else:
            self.print_summary(run, options)
        if run.status == ImportStatus.REJECTED:
            raise CommandError(
                "strict mode: the file has rejected rows, nothing was written", returncode=2
            )

    @staticmethod
    def stopped_run(options: dict[str, Any]) -> ImportRun:
        """The run --resume names, if it is of this kind; the options it had stay its own."""
        run = ImportRun.objects.filter(pk=options["resume"]).first()
        if run is None:
            raise CommandError(f"--resume: no import run {options['resume']}")
        if run.kind != options["kind"]:
            raise CommandError(f"--resume: run {run.pk} imports {run.kind}, not {options['kind']}")
        return run

    @staticmethod
    def as_json(run: ImportRun, options: dict[str, Any]) -> dict[str, Any]:
        errors = run.row_errors.order_by("line", "id").values(
            "line", "column", "expected", "found", "message"
        )[:JSON_ERRORS]
        return {
            "run": run.pk,
            "kind": run.kind,
            "status": run.status,
            "dry_run": run.status == ImportStatus.PREVIEWED,
            "strict": run.strict,
            "filename": run.filename,
            "preset": run.preset,
            "encoding": run.encoding,
            "delimiter": run.delimiter,
            "rows": run.rows_total,
            "created": run.created,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "rejected": run.rejected,
            "ignored_columns": run.mapping.get("ignored", []),
            "errors": list(errors),
            "report": str(options["report"]) if options["report"] else None,
        }

    def print_summary(self, run: ImportRun, options: dict[str, Any]) -> None:
        # The stream under Django's OutputWrapper, which would add a newline to each write.
        console = output_console(self.stdout)
        would = run.status in (ImportStatus.PREVIEWED, ImportStatus.REJECTED)
        table = Table(title=f"{run.filename}: {run.get_status_display()}", title_justify="left")
        table.add_column("rows")
        table.add_column("count", justify="right")
        for label, value in (
            ("read", run.rows_total),
            ("to create" if would else "created", run.created),
            ("to update" if would else "updated", run.updated),
            ("unchanged", run.unchanged),
            ("rejected", run.rejected),
        ):
            table.add_row(label, f"{value:,}")
        console.print(table)
        delimiter = {"\t": "TAB"}.get(run.delimiter, run.delimiter)
        console.print(
            f"encoding {run.encoding}, delimiter {delimiter!r}, preset {run.preset}", markup=False
        )
        if ignored := run.mapping.get("ignored"):
            console.print(f"ignored columns: {', '.join(ignored)}", markup=False)
        if run.rejected:
            errors = Table(title="rejected rows", title_justify="left")
            for name in ("line", "column", "expected", "found", "message"):
                errors.add_column(name, overflow="fold")
            for e in run.row_errors.order_by("line", "id")[:SHOWN_ERRORS]:
                errors.add_row(str(e.line), e.column, e.expected, e.found[:60], e.message)
            console.print(errors)
            if not options["report"]:
                console.print("all rejected rows: add --report errors.csv", markup=False)
