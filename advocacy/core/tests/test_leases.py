"""Leases on background tasks: taken with the claim, renewed while alive, reclaimed once expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from advocacy.core.leases import LeaseKeeper, Reclaimed, give_up_words, reclaim, renew
from advocacy.core.models import TaskLease

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
LEASE = timedelta(seconds=300)  # the default of ADVOCACY_TASK_LEASE_SECONDS


@task()
def noop() -> int:
    return 1


def claimed(
    worker: str = "w1", at: datetime = NOW, row: DBTaskResult | None = None
) -> DBTaskResult:
    """A queued task claimed at `at` as django-tasks-db's worker claims it."""
    if row is None:
        row = DBTaskResult.objects.get(pk=noop.enqueue().id)
    with time_machine.travel(at, tick=False), transaction.atomic():
        row.claim(worker)
    return row


def status(row: DBTaskResult) -> str:
    row.refresh_from_db()
    return row.status


def leases() -> list[tuple[str, str, datetime]]:
    return [
        (str(t), w, e)
        for t, w, e in TaskLease.objects.values_list("task", "worker_id", "expires_at")
    ]


class Rollback(Exception):
    pass


def test_a_claim_takes_a_lease_in_its_own_transaction() -> None:
    row = DBTaskResult.objects.get(pk=noop.enqueue().id)
    with pytest.raises(Rollback), transaction.atomic():
        claimed("w1", row=row)
        assert leases() == [(str(row.pk), "w1", NOW + LEASE)]
        raise Rollback  # the claim's transaction fails: neither the claim nor its lease stay
    assert (status(row), leases()) == (TaskResultStatus.READY, [])
    claimed("w1", row=row)
    assert (status(row), leases()) == (TaskResultStatus.RUNNING, [(str(row.pk), "w1", NOW + LEASE)])


@pytest.mark.parametrize("outcome", ["successful", "failed"])
def test_finishing_releases_the_lease(outcome: str) -> None:
    row = claimed()
    if outcome == "successful":
        row.set_successful(1)
    else:
        row.set_failed(ValueError("no"))
    assert leases() == []


def test_the_end_of_a_late_attempt_keeps_the_lease_of_the_next() -> None:
    first = claimed("w1")
    reclaim(now=NOW + LEASE + timedelta(seconds=1))
    claimed("w2", at=NOW + LEASE + timedelta(seconds=2), row=DBTaskResult.objects.get(pk=first.pk))
    first.set_successful(1)  # w1 was only slow: it finishes after w2 took the task over
    assert leases() == [(str(first.pk), "w2", NOW + 2 * LEASE + timedelta(seconds=2))]


def test_renewing_extends_only_the_workers_own_leases() -> None:
    mine, theirs = claimed("w1"), claimed("w2")
    assert renew("w1", now=NOW + timedelta(seconds=100)) == 1
    assert sorted(leases()) == sorted(
        [
            (str(mine.pk), "w1", NOW + timedelta(seconds=100) + LEASE),
            (str(theirs.pk), "w2", NOW + LEASE),
        ]
    )


def test_an_expired_lease_puts_the_task_back_for_another_attempt() -> None:
    row = claimed("w1")
    assert reclaim(now=NOW + LEASE) == Reclaimed()  # not yet: it expires after the lease
    found = reclaim(now=NOW + LEASE + timedelta(seconds=1))
    assert found == Reclaimed(retried=[str(row.pk)])
    assert (status(row), leases()) == (TaskResultStatus.READY, [])
    claimed("w2", at=NOW + LEASE + timedelta(seconds=2), row=row)
    result = DBTaskResult.objects.get(pk=row.pk).task_result
    assert (result.status, result.attempts, result.worker_ids) == ("RUNNING", 2, ["w1", "w2"])


def test_a_worker_never_takes_back_its_own_lease() -> None:
    row = claimed("w1")
    later = NOW + LEASE + timedelta(seconds=1)
    assert reclaim(now=later, keep_worker="w1") == Reclaimed()
    assert reclaim(now=later, keep_worker="w2") == Reclaimed(retried=[str(row.pk)])


def test_out_of_attempts_the_task_fails_with_the_reason() -> None:
    row = claimed("w1")
    reclaim(now=NOW + LEASE + timedelta(seconds=1), max_attempts=2)
    claimed("w2", at=NOW + LEASE + timedelta(seconds=2), row=DBTaskResult.objects.get(pk=row.pk))
    end = NOW + 2 * LEASE + timedelta(seconds=3)
    assert reclaim(now=end, max_attempts=2) == Reclaimed(failed=[str(row.pk)])
    result = DBTaskResult.objects.get(pk=row.pk).task_result
    (error,) = result.errors
    assert (result.status, result.finished_at, result.worker_ids) == ("FAILED", end, ["w1", "w2"])
    assert error.exception_class_path == "advocacy.core.leases.LeaseExpired"
    assert error.traceback == (
        "advocacy.core.leases.LeaseExpired: the worker running this task stopped renewing its "
        "lease (it was killed, ran out of memory or hung) on 2 attempts, the most "
        "ADVOCACY_TASK_MAX_ATTEMPTS allows; worker_ids lists the workers. Find what stops the "
        "worker, then enqueue the task again.\n"
    )
    assert error.traceback == give_up_words(2)
    assert leases() == []


def test_the_maximum_comes_from_the_setting(settings) -> None:
    settings.TASK_MAX_ATTEMPTS = 1
    row = claimed("w1")
    assert reclaim(now=NOW + LEASE + timedelta(seconds=1)) == Reclaimed(failed=[str(row.pk)])


def test_a_task_claimed_without_a_lease_is_taken_back_when_a_worker_starts() -> None:
    old, recent = claimed("w1"), claimed("w1", at=NOW + timedelta(seconds=200))
    TaskLease.objects.all().delete()  # as a worker without leases (or before them) left them
    later = NOW + LEASE + timedelta(seconds=1)
    assert reclaim(now=later) == Reclaimed()  # only a starting worker reads every RUNNING row
    assert reclaim(now=later, orphans=True) == Reclaimed(retried=[str(old.pk)])
    assert (status(old), status(recent)) == (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def test_an_expired_lease_of_a_finished_task_is_cleared() -> None:
    row = claimed("w1")
    DBTaskResult.objects.filter(pk=row.pk).update(status=TaskResultStatus.SUCCESSFUL)
    assert reclaim(now=NOW + LEASE + timedelta(seconds=1)) == Reclaimed(cleared=1)
    assert (status(row), leases()) == (TaskResultStatus.SUCCESSFUL, [])


def test_nothing_expired_costs_one_query(django_assert_num_queries) -> None:
    claimed("w1")
    with django_assert_num_queries(1):
        assert reclaim(now=NOW + timedelta(seconds=1)) == Reclaimed()


def test_reclaiming_many_tasks_takes_a_fixed_number_of_queries(django_assert_num_queries) -> None:
    rows = [claimed(f"w{i}") for i in range(20)]
    # The probe, then in a savepoint: the locking read, READY, the leases, finished ones' leases.
    with django_assert_num_queries(7):
        found = reclaim(now=NOW + LEASE + timedelta(seconds=1))
    assert found == Reclaimed(retried=sorted(str(r.pk) for r in rows))


@pytest.mark.django_db(transaction=True)
def test_the_keeper_renews_its_own_and_takes_back_the_expired() -> None:
    mine, dead = claimed("w1"), claimed("w2")
    later = NOW + LEASE + timedelta(seconds=1)
    LeaseKeeper("w1").beat(later)
    assert leases() == [(str(mine.pk), "w1", later + LEASE)]
    assert (status(mine), status(dead)) == (TaskResultStatus.RUNNING, TaskResultStatus.READY)
