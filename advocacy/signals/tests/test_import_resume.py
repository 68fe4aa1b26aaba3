"""An import run tells the truth while it goes and after it is killed; resumed, it writes and
counts nothing twice; imported again, it duplicates nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from advocacy.customers.models import Contact
from advocacy.signals.imports import (
    ImportFileError,
    ImportSuperseded,
    commit_import,
    preview_import,
    queue_import,
    resume_import,
    run_import,
)
from advocacy.signals.imports import runs as runs_module
from advocacy.signals.imports.processing import ContactProcessor, Processor, SignalProcessor
from advocacy.signals.models import ImportRun, Signal
from advocacy.signals.tests.files import SIGNAL_HEADER, signal_rows, write_csv

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db
HEADER = ["email", "first_name", "account_domain", "persona"]


class Killed(BaseException):
    """The process dies (gunicorn's timeout, SIGKILL): no handler of the import runs."""


@pytest.fixture(autouse=True)
def small_chunks(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 3 rows, each in its own transaction."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_CHUNK_SIZE = 3
    monkeypatch.setattr(runs_module, "TRANSACTION_SECONDS", 0)


def contacts_file(path: Path) -> Path:
    """Ten rows: a bad persona on line 3, line 9 repeats line 2 exactly, line 10 repeats
    line 4's email with another name (its chunk comes after the kill below)."""
    rows = [
        ["a@acme.com", "Ann", "acme.com", "champion"],  # line 2
        ["b@acme.com", "Bob", "acme.com", "astronaut"],  # line 3: bad persona
        ["c@acme.com", "Cat", "acme.com", ""],  # line 4
        ["d@acme.com", "Dan", "acme.com", ""],  # line 5
        ["e@acme.com", "Eve", "acme.com", ""],  # line 6
        ["f@acme.com", "Fay", "acme.com", ""],  # line 7
        ["g@acme.com", "Gus", "acme.com", ""],  # line 8
        ["a@acme.com", "Ann", "acme.com", "champion"],  # line 9: same as line 2
        ["c@acme.com", "Cathy", "acme.com", ""],  # line 10: conflicts with line 4
        ["h@acme.com", "Hal", "acme.com", ""],  # line 11
    ]
    return write_csv(path, HEADER, rows)


# Lines 2-11 imported in one go: 7 contacts created, line 9 unchanged, lines 3 and 10 rejected.
WHOLE = ("committed", 10, 7, 0, 1, 2)
WHOLE_ERRORS = [(3, "persona", "unknown persona"), (10, "email", "same email as line 4")]


def counts(run: ImportRun) -> tuple[str, int, int, int, int, int]:
    run.refresh_from_db()
    return (run.status, run.rows_total, run.created, run.updated, run.unchanged, run.rejected)


def errors(run: ImportRun) -> list[tuple[int, str, str]]:
    return [
        (line, column, message.split(" with ")[0])
        for line, column, message in run.row_errors.values_list("line", "column", "message")
    ]


def kill_on(
    monkeypatch: pytest.MonkeyPatch, processor: type[Processor], call: int
) -> Callable[[], None]:
    """Kill the import as it processes its `call`-th chunk; returns what brings it back."""
    real = processor.process
    calls = [0]

    def process(self: Any, chunk: Any) -> Any:
        calls[0] += 1
        if calls[0] == call:
            raise Killed
        return real(self, chunk)

    monkeypatch.setattr(processor, "process", process)
    return lambda: monkeypatch.setattr(processor, "process", real)


def test_the_run_counts_each_chunk_with_its_rows(tmp_path: Path) -> None:
    """Read between chunks, the run says exactly what is in the database."""
    seen = []

    def progress(done: int, total: int) -> None:
        run = ImportRun.objects.get()
        seen.append(
            (run.status, run.rows_total, run.created, run.rejected, Contact.objects.count())
        )

    run = run_import("contacts", contacts_file(tmp_path / "c.csv"), now=NOW, progress=progress)
    assert seen == [
        ("committing", 3, 2, 1, 2),
        ("committing", 6, 5, 1, 5),
        ("committing", 9, 6, 2, 6),
        ("committing", 10, 7, 2, 7),
        ("committing", 10, 7, 2, 7),  # the end of the file
    ]
    assert counts(run) == WHOLE


def test_a_killed_import_says_what_it_wrote_and_resumes_to_the_counts_of_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = contacts_file(tmp_path / "c.csv")
    revive = kill_on(monkeypatch, ContactProcessor, call=3)
    with pytest.raises(Killed):
        run_import("contacts", path, now=NOW)
    run = ImportRun.objects.get()
    # Two chunks were committed: the run says so, not "failed with 0 rows".
    assert counts(run) == ("committing", 6, 5, 0, 0, 1)
    assert Contact.objects.count() == 5
    assert errors(run) == WHOLE_ERRORS[:1]
    assert run.finished_at is None
    revive()
    resumed = resume_import(run, actor=None, now=NOW, path=path)
    # Line 9 is still a repeat of line 2 and line 10 still conflicts with line 4: the rows done
    # before the kill were taken in again, not written again.
    assert counts(resumed) == WHOLE
    assert errors(resumed) == WHOLE_ERRORS
    assert Contact.objects.count() == 7
    assert Contact.objects.get(email="c@acme.com").first_name == "Cat"
    assert resumed.attempt == 2


def test_a_killed_import_run_again_as_a_new_one_duplicates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = contacts_file(tmp_path / "c.csv")
    revive = kill_on(monkeypatch, ContactProcessor, call=3)
    with pytest.raises(Killed):
        run_import("contacts", path, now=NOW)
    revive()
    again = run_import("contacts", path, now=NOW)
    # The 5 written before the kill are unchanged now (line 9 too), the rest created.
    assert counts(again) == ("committed", 10, 2, 0, 6, 2)
    assert Contact.objects.count() == 7


def test_killed_signals_resume_with_no_duplicate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_import("contacts", contacts_file(tmp_path / "c.csv"), now=NOW)
    emails = ["a@acme.com", "c@acme.com", "nobody@acme.com"]
    path = write_csv(tmp_path / "s.csv", SIGNAL_HEADER, signal_rows(emails, 11))
    revive = kill_on(monkeypatch, SignalProcessor, call=2)
    with pytest.raises(Killed):
        run_import("signals", path, now=NOW)
    run = ImportRun.objects.filter(kind="signals").get()
    assert counts(run) == ("committing", 3, 2, 0, 0, 1)
    assert Signal.objects.count() == 2
    revive()
    resumed = resume_import(run, actor=None, now=NOW, path=path)
    assert counts(resumed) == ("committed", 11, 8, 0, 0, 3)  # every third email is nobody's
    assert Signal.objects.count() == 8
    again = run_import("signals", path, now=NOW)
    assert counts(again) == ("committed", 11, 0, 0, 8, 3)
    assert Signal.objects.count() == 8


def test_a_killed_strict_import_wrote_nothing_and_resumes_from_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [[f"p{i}@acme.com", f"P{i}", "acme.com", ""] for i in range(8)]
    path = write_csv(tmp_path / "c.csv", HEADER, rows)
    revive = kill_on(monkeypatch, ContactProcessor, call=3)
    with pytest.raises(Killed):
        run_import("contacts", path, strict=True, now=NOW)
    run = ImportRun.objects.get()
    assert counts(run) == ("committing", 0, 0, 0, 0, 0)  # one transaction: nothing kept
    assert Contact.objects.count() == 0
    revive()
    assert counts(resume_import(run, actor=None, now=NOW, path=path)) == (
        "committed",
        8,
        8,
        0,
        0,
        0,
    )


def test_a_killed_preview_resumes_to_the_counts_of_one_preview(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = contacts_file(tmp_path / "c.csv")
    revive = kill_on(monkeypatch, ContactProcessor, call=3)
    with pytest.raises(Killed):
        preview_import("contacts", path, now=NOW)
    run = ImportRun.objects.get()
    assert counts(run) == ("previewing", 6, 5, 0, 0, 1)
    revive()
    resumed = resume_import(run, actor=None, now=NOW)  # from the copy the preview keeps
    assert counts(resumed) == ("previewed", 10, 7, 0, 1, 2)
    assert errors(resumed) == WHOLE_ERRORS
    assert Contact.objects.count() == 0
    assert counts(commit_import(resumed, actor=None, now=NOW)) == WHOLE


def test_a_pass_taken_over_by_a_resume_keeps_nothing_more(tmp_path: Path) -> None:
    path = contacts_file(tmp_path / "c.csv")
    run = queue_import("contacts", path)
    assert counts(run) == ("committing", 0, 0, 0, 0, 0)

    def progress(done: int, total: int) -> None:
        # Another pass takes the run over after the first chunk (a second worker, a resume).
        ImportRun.objects.filter(pk=run.pk).update(attempt=99)

    with pytest.raises(ImportSuperseded, match=f"import {run.pk} was taken over"):
        resume_import(run, actor=None, now=NOW, progress=progress)
    # The first chunk was kept with its counts; the second, whose counts found the run
    # taken, was rolled back with them.
    assert counts(run)[1:] == (3, 2, 0, 0, 1)
    assert Contact.objects.count() == 2


def test_resume_refuses_another_file_and_a_finished_run(tmp_path: Path) -> None:
    path = contacts_file(tmp_path / "c.csv")
    run = queue_import("contacts", path)
    other = write_csv(tmp_path / "other.csv", HEADER, [["z@acme.com", "Zed", "acme.com", ""]])
    with pytest.raises(ImportFileError) as refused:
        resume_import(run, actor=None, now=NOW, path=other)
    assert str(refused.value) == (
        f"other.csv is not the file import {run.pk} read ({path.stat().st_size:,} bytes, "
        f"SHA-256 {run.checksum[:12]}…): resume it with that same file"
    )
    done = resume_import(run, actor=None, now=NOW)
    assert counts(done) == WHOLE
    with pytest.raises(ImportFileError) as again:
        resume_import(done, actor=None, now=NOW)
    assert str(again.value) == (
        f"import {run.pk} is committed: only an import under way (previewing or committing) "
        "can be resumed"
    )
    inline = run_import("contacts", path, now=NOW)  # no copy kept
    ImportRun.objects.filter(pk=inline.pk).update(status="committing")
    inline.refresh_from_db()
    with pytest.raises(ImportFileError, match="kept no copy of its file: resume it with the file"):
        resume_import(inline, actor=None, now=NOW)
