"""CSV import of accounts, contacts and signals: one pipeline behind the CLI, web UI and API.

    preview_import(kind, path, *, filename=None, preset=None, mapping=None, strict=False,
                   actor=None, now, progress=None) -> ImportRun
    commit_import(run, *, actor, now, progress=None) -> ImportRun
    run_import(kind, path, *, filename=None, preset=None, mapping=None, strict=False,
               dry_run=False, actor=None, now, progress=None) -> ImportRun
    queue_import(kind, path, *, filename=None, preset=None, mapping=None, strict=False,
                 dry_run=False, actor=None) -> ImportRun     # for a job: see advocacy.signals.jobs
    begin_commit(run, *, now) -> ImportRun                   # a previewed run, to commit by a job
    resume_import(run, *, actor, now, path=None, progress=None) -> ImportRun
    write_errors_csv(run, out) -> None
    load_mapping_file(path) -> dict          # YAML or JSON mapping file
    PRESETS: dict[str, Preset]               # "advocacy", "hubspot", "salesforce"
    ImportFileError                          # the whole file is unusable (message says why)

`progress(done_bytes, total_bytes)` is called after each chunk. docs/csv-import.md describes the
formats, presets, mapping files, strict mode, resuming and the error report.
"""

from advocacy.signals.imports.presets import PRESETS, Preset, load_mapping_file
from advocacy.signals.imports.reading import ImportFileError
from advocacy.signals.imports.runs import (
    ImportSuperseded,
    begin_commit,
    commit_import,
    preview_import,
    queue_import,
    resume_import,
    run_import,
    write_errors_csv,
)

__all__ = [
    "PRESETS",
    "ImportFileError",
    "ImportSuperseded",
    "Preset",
    "begin_commit",
    "commit_import",
    "load_mapping_file",
    "preview_import",
    "queue_import",
    "resume_import",
    "run_import",
    "write_errors_csv",
]
