from datetime import UTC, datetime, timedelta

import pytest
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from advocacy.core import scheduler
from advocacy.core.models import ScheduledJob

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def job(monkeypatch, django_capture_on_commit_callbacks):
    calls = []
    registry = {"ping": scheduler.Job("ping", timedelta(minutes=15), lambda: calls.append(1))}
    monkeypatch.setattr(scheduler, "REGISTRY", registry)
    return calls


def test_a_due_job_is_enqueued_once_per_period(job, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = scheduler.tick(NOW)
        second = scheduler.tick(NOW + timedelta(minutes=1))  # another scheduler, same period
    with django_capture_on_commit_callbacks(execute=True):
        later = scheduler.tick(NOW + timedelta(minutes=15))
    assert (first, second, later) == (["ping"], [], ["ping"])
    assert len(job) == 2
    assert ScheduledJob.objects.get().next_run_at == NOW + timedelta(minutes=30)


def test_the_engine_registers_its_job():
    assert "evaluate-plays" in scheduler.REGISTRY


@task()
def ping() -> str:
    return "pong"


def only(enqueue) -> dict[str, scheduler.Job]:
    return {"ping": scheduler.Job("ping", timedelta(minutes=15), enqueue)}


def test_the_claim_and_its_task_commit_together(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(scheduler, "REGISTRY", only(ping.enqueue))
    with django_capture_on_commit_callbacks() as callbacks:
        assert scheduler.tick(NOW) == ["ping"]
        queued = list(DBTaskResult.objects.values_list("task_path", "status"))
    assert callbacks == []  # nothing waits for the commit: the task's row is in the transaction
    assert queued == [(ping.module_path, "READY")]


def test_an_enqueue_that_fails_leaves_the_job_due(monkeypatch):
    def broken() -> None:
        raise RuntimeError("the task queue is unreachable")

    monkeypatch.setattr(scheduler, "REGISTRY", only(broken))
    with pytest.raises(RuntimeError, match="unreachable"):
        scheduler.tick(NOW)
    assert ScheduledJob.objects.values_list("next_run_at", "last_run_at").get() == (NOW, None)
    monkeypatch.setattr(scheduler, "REGISTRY", only(ping.enqueue))
    assert scheduler.tick(NOW + timedelta(minutes=1)) == ["ping"]
    assert DBTaskResult.objects.count() == 1


def test_a_backend_that_runs_tasks_inline_runs_them_after_the_commit(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ran = []
    monkeypatch.setattr(scheduler, "REGISTRY", only(lambda: ran.append(1)))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        scheduler.tick(NOW)
        assert ran == []
    assert (len(callbacks), ran) == (1, [1])
