"""The council report's PDF as a job (the web UI and the API) and with a bar (the CLI)."""

from __future__ import annotations

import io
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from advocacy.metrics.jobs import start_council_pdf
from advocacy.metrics.periods import month_period
from advocacy.metrics.tests.world import NOW, World

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_the_council_pdf_job_keeps_the_pdf(world: World, settings: Any, tmp_path: Any) -> None:
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path
    job = start_council_pdf(month_period(2026, 5), now=NOW)
    assert (job.state, job.done, job.total, job.unit) == ("done", 3, 3, "steps")
    assert job.title == "Council report for 2026-05 (PDF)"
    with job.artefact.open("rb") as f:
        pdf = f.read()
    assert pdf[:5] == b"%PDF-"
    assert job.result == {"month": "2026-05", "filename": "council-2026-05.pdf", "bytes": len(pdf)}


def test_the_council_pdf_command_draws_a_progress_bar(world: World, tmp_path: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command(
            "report", "--council", "--month", "2026-05", "--output", str(tmp_path / "c.pdf"),
            stdout=out, stderr=err,
        )  # fmt: skip
    assert err.getvalue().startswith("council report ━")
    assert "3/3 steps" in err.getvalue()
    assert (tmp_path / "c.pdf").read_bytes()[:5] == b"%PDF-"
