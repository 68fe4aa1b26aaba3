"""`advocacy jobs list|show|wait`: follow a job started elsewhere with a progress bar."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from advocacy.core.management.commands import jobs as jobs_command
from advocacy.core.models import Job, JobState

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def make_job(**fields: Any) -> Job:
    values = {"kind": "simulation", "title": "Simulation", "queued_at": NOW, "updated_at": NOW}
    return Job.objects.create(**{**values, **fields})


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("jobs", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_wait_follows_the_job_with_a_progress_bar_until_it_is_done(monkeypatch) -> None:
    job = make_job(state=JobState.RUNNING, done=0, total=4, unit="days")
    looks: list[int] = []

    def sleep(seconds: float) -> None:  # meanwhile a worker does two days a look
        looks.append(Job.objects.get(pk=job.pk).done)
        done = len(looks) * 2
        state = JobState.DONE if done >= 4 else JobState.RUNNING
        Job.objects.filter(pk=job.pk).update(done=done, state=state, result={"plays": ["p"]})

    monkeypatch.setattr(jobs_command.time, "sleep", sleep)
    out, err = run("wait", str(job.pk))
    assert looks == [0, 2]
    assert err.startswith(f"job {job.pk} (simulation) ━")
    assert "4/4 days" in err
    assert out == (
        f"job {job.pk}: Simulation\nstate: done\nprogress: 4 of 4 days (100%)\n"
        "result: plays=['p']\n"
    )


def test_wait_for_a_failed_job_exits_1_with_the_reason() -> None:
    job = make_job(state=JobState.FAILED, message="the end must come after the start")
    with pytest.raises(CommandError, match=f"job {job.pk} failed: the end must come after"):
        run("wait", str(job.pk))


def test_wait_gives_up_after_its_timeout(monkeypatch) -> None:
    job = make_job()
    monkeypatch.setattr(jobs_command.time, "sleep", lambda seconds: None)
    with pytest.raises(CommandError, match=f"job {job.pk} is still queued after 0 s"):
        run("wait", str(job.pk), "--timeout", "0")


def test_list_and_show_as_json_and_the_file_a_job_made(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    older = make_job(kind="profiles", title="Profiles", state=JobState.DONE, done=3, total=3)
    pdf = make_job(kind="council_pdf", title="Council", state=JobState.DONE, done=3, total=3)
    pdf.artefact.save("council-2026-05.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    listed = json.loads(run("list", "--json")[0])
    assert [j["id"] for j in listed["jobs"]] == [pdf.pk, older.pk]
    only = json.loads(run("list", "--kind", "profiles", "--json")[0])
    assert [j["title"] for j in only["jobs"]] == ["Profiles"]
    shown = json.loads(run("show", str(pdf.pk), "--json")[0])
    assert (shown["state"], shown["percent"], shown["artefact"]) == (
        "done",
        100,
        "jobs/council-2026-05.pdf",
    )
    target = tmp_path / "council.pdf"
    run("show", str(pdf.pk), "--output", str(target))
    assert target.read_bytes() == b"%PDF-1.7 test"
    with pytest.raises(CommandError, match=f"--output: job {older.pk} has produced no file"):
        run("show", str(older.pk), "--output", str(target))
    with pytest.raises(CommandError, match="no job 999999"):
        run("show", "999999")
    with pytest.raises(CommandError, match="--kind: unknown kind 'dance': expected one of"):
        run("list", "--kind", "dance")
    table = run("list")[0]
    assert "Council" in table and "100%" in table
