"""The `advocacy import` command: JSON for machines, a table for people, a report file."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from advocacy.customers.models import Contact
from advocacy.signals.models import ImportRun
from advocacy.signals.tests.files import write_hubspot_contacts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_json_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "contacts.csv"
    bad = write_hubspot_contacts(path, 100)
    result = json.loads(run("contacts", str(path), "--preset", "hubspot", "--dry-run", "--json"))
    assert {k: result[k] for k in ("status", "dry_run", "rows", "created", "rejected")} == {
        "status": "previewed",
        "dry_run": True,
        "rows": 100,
        "created": 95,
        "rejected": 5,
    }
    assert [e["line"] for e in result["errors"]] == [b.line for b in bad]
    assert (result["encoding"], result["delimiter"], result["report"]) == ("utf-8", ",", None)
    assert Contact.objects.count() == 0


def test_report_and_summary(tmp_path):
    path = tmp_path / "contacts.csv"
    bad = write_hubspot_contacts(path, 100)
    report = tmp_path / "errors.csv"
    out = run("contacts", str(path), "--preset", "hubspot", "--report", str(report))
    assert "contacts.csv: Committed" in out
    assert "│ created   │    95 │" in out
    with report.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(int(r["line"]), r["column"], r["message"]) for r in rows] == [
        (b.line, b.column, b.message) for b in bad
    ]
    assert Contact.objects.count() == 95


def test_strict_exits_2_and_writes_nothing(tmp_path):
    path = tmp_path / "contacts.csv"
    write_hubspot_contacts(path, 40)
    with pytest.raises(CommandError, match="strict mode: the file has rejected rows") as caught:
        run("contacts", str(path), "--preset", "hubspot", "--strict", "--json")
    assert (caught.value.returncode, Contact.objects.count()) == (2, 0)


def test_unusable_file_and_mapping_are_command_errors(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("contacts", str(tmp_path / "missing.csv"))
    path = tmp_path / "contacts.csv"
    path.write_text("Name\r\nAda\r\n")
    with pytest.raises(CommandError, match=r"contacts\.csv: missing required columns"):
        run("contacts", str(path))
    mapping = tmp_path / "m.yaml"
    mapping.write_text("colums: {}\n")
    with pytest.raises(CommandError, match="mapping: unknown key 'colums'"):
        run("contacts", str(path), "--mapping", str(mapping))


def test_the_progress_bar_goes_to_stderr(tmp_path):
    path = tmp_path / "contacts.csv"
    write_hubspot_contacts(path, 20, bad=False)
    err = io.StringIO()
    call_command(
        "import", "contacts", str(path), "--preset", "hubspot", stdout=io.StringIO(), stderr=err
    )
    size = path.stat().st_size
    assert err.getvalue().startswith("importing contacts ━")
    assert f"{size / 1000:.1f}/{size / 1000:.1f} kB" in err.getvalue()


def test_resume_takes_up_a_stopped_run_with_the_same_file(tmp_path):
    path = tmp_path / "contacts.csv"
    write_hubspot_contacts(path, 20, bad=False)
    run("contacts", str(path), "--preset", "hubspot")
    stopped = ImportRun.objects.get()
    # As if it had been killed after its first 5 rows (the other 15 are in the database too).
    ImportRun.objects.filter(pk=stopped.pk).update(status="committing", rows_total=5, created=5)
    result = json.loads(run("contacts", str(path), "--resume", str(stopped.pk), "--json"))
    assert {k: result[k] for k in ("run", "status", "rows", "created", "unchanged")} == {
        "run": stopped.pk,
        "status": "committed",
        "rows": 20,
        "created": 5,  # counted before it stopped; the 15 left are already there
        "unchanged": 15,
    }
    with pytest.raises(CommandError, match=f"--resume: run {stopped.pk} imports contacts, not"):
        run("accounts", str(path), "--resume", str(stopped.pk))
    with pytest.raises(CommandError, match="--resume: no import run 999"):
        run("contacts", str(path), "--resume", "999")
    with pytest.raises(CommandError, match="only an import under way"):
        run("contacts", str(path), "--resume", str(stopped.pk))
