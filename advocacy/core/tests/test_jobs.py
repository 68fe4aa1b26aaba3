"""Jobs: recorded, run by the task backend, progress once per chunk, an honest end, throttling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django_tasks_db.models import DBTaskResult

from advocacy.core import jobs
from advocacy.core.env import SettingError, env_parsed
from advocacy.core.jobs import JobKind, Reporter, Throttled, execute, start_job, take_slot
from advocacy.core.models import Job, JobQuota, JobState
from advocacy.core.rates import Rate, parse_rate
from advocacy.core.tasks import run_job

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 10, 59, 30, tzinfo=UTC)
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
SEEN: list[tuple[str, int, int | None]] = []


class BadInput(Exception):
    pass


def count(job: Job, report: Reporter) -> dict[str, Any]:
    """Count to params["to"], one report per step, reading the record back after each."""
    to = job.params["to"]
    for step in range(1, to + 1):
        report(step, to, f"step {step}")
        row = Job.objects.get(pk=job.pk)
        SEEN.append((row.state, row.done, row.total))
    if job.params.get("fail") == "input":
        raise BadInput("the input says no")
    if job.params.get("fail") == "bug":
        raise RuntimeError("boom")
    return {"counted": to}


@pytest.fixture(autouse=True)
def kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(jobs.KINDS, "count", JobKind("count", "Counting", count, (BadInput,)))
    SEEN.clear()


def start(**params: Any) -> Job:
    return start_job("count", title="Count", params=params, now=NOW, unit="steps")


def test_a_job_runs_reporting_each_step_and_ends_done_with_its_result(settings):
    settings.TASKS = IMMEDIATE
    job = start(to=3)
    assert SEEN == [("running", 1, 3), ("running", 2, 3), ("running", 3, 3)]
    assert (job.state, job.done, job.total, job.percent) == ("done", 3, 3, 100)
    assert (job.result, job.message, job.attempts) == ({"counted": 3}, "step 3", 1)
    assert (job.queued_at, job.started_at is not None, job.finished_at is not None) == (
        NOW,
        True,
        True,
    )
    assert job.task_id != ""
    assert job.kind_label == "Counting"


def test_with_the_database_backend_the_job_waits_for_the_worker(settings):
    settings.TASKS = DATABASE
    job = start(to=2)
    assert (job.state, job.done, job.percent) == ("queued", 0, None)
    queued = DBTaskResult.objects.get(id=job.task_id)
    assert (queued.task_path, queued.args_kwargs) == (
        "advocacy.core.tasks.run_job",
        {"args": [job.pk], "kwargs": {}},
    )
    assert run_job.call(job.pk) == {"job": job.pk, "ran": True, "state": "done"}
    job.refresh_from_db()
    assert (job.state, job.done, job.result) == ("done", 2, {"counted": 2})


def test_bad_input_fails_the_job_with_its_reason(settings):
    """Run inside the caller's transaction (the ImmediateBackend within a request), a failed
    job's writes are undone, and the progress that described them with them."""
    settings.TASKS = IMMEDIATE
    job = start(to=2, fail="input")
    assert (job.state, job.message, job.done, job.result) == ("failed", "the input says no", 0, {})
    assert job.finished_at is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_in_the_worker_a_failed_job_keeps_the_progress_it_committed(settings):
    settings.TASKS = DATABASE
    job = start(to=2, fail="input")
    assert execute(job.pk) == {"job": job.pk, "ran": True, "state": "failed"}
    job.refresh_from_db()
    assert (job.state, job.message, job.done, job.total) == ("failed", "the input says no", 2, 2)


def test_a_bug_fails_the_job_and_is_raised_to_the_task_backend(settings):
    settings.TASKS = DATABASE
    job = start(to=1, fail="bug")
    with pytest.raises(RuntimeError, match="boom"):
        execute(job.pk)
    job.refresh_from_db()
    assert (job.state, job.message) == ("failed", "stopped by an error: boom")


def test_a_job_a_dead_worker_left_running_runs_again_and_a_finished_one_never(settings):
    settings.TASKS = DATABASE
    job = start(to=2)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, attempts=1, done=1)
    assert execute(job.pk)["ran"] is True
    job.refresh_from_db()
    assert (job.state, job.attempts, job.done) == ("done", 2, 2)
    assert execute(job.pk) == {"job": job.pk, "ran": False}
    assert Job.objects.get(pk=job.pk).attempts == 2


def test_an_unknown_kind_is_refused_at_the_start():
    with pytest.raises(ValueError, match="unknown job kind 'dance': expected one of"):
        start_job("dance", title="Dance", now=NOW)
    assert Job.objects.count() == 0


def test_a_holder_may_take_as_many_slots_as_the_rate_allows_per_window():
    rate = parse_rate("2/hour")
    take_slot("key:a", now=NOW, rate=rate)
    take_slot("key:a", now=NOW, rate=rate)
    take_slot("key:b", now=NOW, rate=rate)  # each holder its own count
    with pytest.raises(Throttled) as refused:
        take_slot("key:a", now=NOW, rate=rate)
    assert refused.value.retry_after == 30  # the window ends at 11:00
    assert str(refused.value) == (
        "too many jobs started: at most 2/hour per API key (ADVOCACY_JOB_RATE); retry in 30 s"
    )
    take_slot("key:a", now=NOW + timedelta(seconds=30), rate=rate)  # a new window
    assert sorted(JobQuota.objects.values_list("holder", "used")) == [("key:a", 1), ("key:b", 1)]


def test_a_job_started_with_a_key_counts_against_its_rate(settings):
    settings.TASKS = DATABASE
    settings.JOB_RATE = parse_rate("1/minute")
    first = start_job("count", title="Count", params={"to": 1}, now=NOW, api_key="abcd1234")
    with pytest.raises(Throttled) as refused:
        start_job("count", title="Count", params={"to": 1}, now=NOW, api_key="abcd1234")
    assert refused.value.retry_after == 30
    assert list(Job.objects.values_list("pk", "api_key")) == [(first.pk, "abcd1234")]
    start_job("count", title="Count", params={"to": 1}, now=NOW)  # no key: no count
    assert Job.objects.count() == 2


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("10/hour", Rate(10, timedelta(hours=1), "10/hour")),
        (" 3 / Minutes ", Rate(3, timedelta(minutes=1), "3/minute")),
        ("1/day", Rate(1, timedelta(days=1), "1/day")),
    ],
)
def test_rates_are_read(text: str, rate: Rate) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["10", "0/hour", "ten/hour", "10/week", "/hour", "-1/hour"])
def test_a_bad_rate_names_what_is_expected(text: str) -> None:
    with pytest.raises(SettingError) as refused:
        env_parsed("ADVOCACY_JOB_RATE", None, parse_rate, {"ADVOCACY_JOB_RATE": text})
    assert str(refused.value) == (
        "ADVOCACY_JOB_RATE: expected a rate like 10/hour: a whole number from 1, a slash and "
        f"one of second, minute, hour, day, found {text!r}"
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_written_aside_is_seen_at_once_on_postgresql(postgres_only: None) -> None:
    job = Job.objects.create(kind="count", title="Count", queued_at=NOW, updated_at=NOW)
    reporter = Reporter(job)
    other = connections.create_connection("default")
    try:
        with transaction.atomic():  # the work's own long transaction, rolled back at its end
            reporter.aside(3, 10, "three of ten")
            with other.cursor() as cursor:
                cursor.execute("SELECT done, total, message FROM core_job WHERE id = %s", [job.pk])
                assert cursor.fetchone() == (3, 10, "three of ten")
            transaction.set_rollback(True)
    finally:
        reporter.close()
        other.close()
    job.refresh_from_db()
    assert (job.done, job.total, job.message) == (3, 10, "three of ten")
    assert connection.vendor == "postgresql"
