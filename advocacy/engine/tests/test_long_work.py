"""The engine's long work reports its progress: a simulation per day, a profile refresh per
chunk; as jobs they end with their result, and the commands draw a progress bar."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from advocacy.core.models import Job
from advocacy.customers.models import Account, Contact
from advocacy.engine.jobs import start_profile_refresh, start_simulation
from advocacy.engine.models import ContactProfile
from advocacy.engine.plays import load_playbook
from advocacy.engine.simulation import Simulation, simulate
from advocacy.engine.state import refresh_profiles

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 2, tzinfo=UTC)
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def program(member: Any) -> list[Contact]:
    load_playbook(now=START)
    account = Account.objects.create(
        name="Acme", domain="acme.example", customer_since=date(2024, 1, 1), owner=member
    )
    return Contact.objects.bulk_create(
        [Contact(account=account, email=f"p{i}@acme.example") for i in range(3)]
    )


def test_a_simulation_reports_each_day(program: list[Contact]) -> None:
    seen: list[tuple[int, int]] = []
    simulate(START, START + timedelta(days=6), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(day, 7) for day in range(1, 8)]


def test_a_simulation_comes_back_whole_from_its_jobs_result(program: list[Contact]) -> None:
    result = simulate(START, START + timedelta(days=13, hours=23, minutes=59))
    assert Simulation.from_dict(result.as_dict()).as_dict() == result.as_dict()


def test_a_simulation_job_ends_with_the_simulation(program: list[Contact], settings: Any) -> None:
    settings.TASKS = IMMEDIATE
    end = START + timedelta(days=6)
    job = start_simulation(START, end, names=None, now=START)
    assert (job.state, job.done, job.total, job.unit) == ("done", 7, 7, "days")
    assert job.title == "Simulation of every enabled play, 2026-03-02 to 2026-03-08"
    assert job.result == simulate(START, end).as_dict()


def test_a_profile_refresh_reports_each_chunk(program: list[Contact], settings: Any) -> None:
    seen: list[tuple[int, int]] = []
    count = refresh_profiles(
        now=START,
        contact_ids=[c.pk for c in program],
        chunk=1,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert (count, seen) == (3, [(1, 3), (2, 3), (3, 3)])
    settings.TASKS = IMMEDIATE
    job = start_profile_refresh(now=START)
    assert (job.state, job.done, job.total, job.result) == (
        "done",
        3,
        3,
        {"refreshed": 3, "as_of": START.isoformat()},
    )
    assert ContactProfile.objects.count() == 3
    assert Job.objects.get().unit == "contacts"


def test_the_simulate_command_draws_its_progress_bar_on_stderr(program: list[Contact]) -> None:
    out, err = StringIO(), StringIO()
    call_command(
        "simulate", "--from", "2026-03-02", "--to", "2026-03-08", "--json", stdout=out, stderr=err
    )
    assert len(json.loads(out.getvalue())["weeks"]) == 1
    bar = err.getvalue()
    assert bar.startswith("simulating ━")
    assert "7/7 days" in bar


def test_the_advocates_refresh_command(program: list[Contact]) -> None:
    out, err = StringIO(), StringIO()
    call_command("advocates", "refresh", "--as-of", "2026-03-02", stdout=out, stderr=err)
    assert out.getvalue() == "profiles computed for 3 contact(s) as of 2026-03-02 00:00\n"
    assert err.getvalue().startswith("profiling ━")
    assert "3/3 contacts" in err.getvalue()
    out = StringIO()
    call_command(
        "advocates", "refresh", "--as-of", "2026-03-02", "--json", stdout=out, stderr=StringIO()
    )
    assert json.loads(out.getvalue()) == {"refreshed": 3, "as_of": "2026-03-02T00:00:00+00:00"}


def test_the_advocates_refresh_command_with_no_contacts() -> None:
    out = StringIO()
    call_command("advocates", "refresh", stdout=out, stderr=StringIO())
    assert out.getvalue() == "there are no contacts to profile yet: import some first\n"


def test_the_run_command_draws_a_bar_of_plays_on_stderr(program: list[Contact]) -> None:
    from advocacy.engine.models import Play

    plays = Play.objects.filter(enabled=True).count()
    out, err = StringIO(), StringIO()
    call_command("run", "--as-of", "2026-03-02", "--json", stdout=out, stderr=err)
    assert len(json.loads(out.getvalue())["plays"]) == plays
    assert err.getvalue().startswith("running plays ━")
    assert f"{plays}/{plays} plays" in err.getvalue()


def test_a_catch_up_draws_a_bar_of_days(program: list[Contact]) -> None:
    out, err = StringIO(), StringIO()
    call_command(
        "run", "--since", "2026-03-01", "--as-of", "2026-03-03", "--json", stdout=out, stderr=err
    )
    assert json.loads(out.getvalue())["as_of"] == "2026-03-03T00:00:00+00:00"
    assert err.getvalue().startswith("catching up ━")
    assert "3/3 days" in err.getvalue()


def test_run_plays_reports_each_play(program: list[Contact]) -> None:
    from advocacy.engine.evaluation import run_plays

    seen: list[tuple[int, int]] = []
    runs = run_plays(now=START, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(i, len(runs)) for i in range(1, len(runs) + 1)]
    assert len(runs) > 1
