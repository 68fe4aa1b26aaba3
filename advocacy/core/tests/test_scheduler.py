from datetime import UTC, datetime, timedelta

import pytest

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
