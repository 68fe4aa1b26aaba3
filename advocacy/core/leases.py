"""Leases on background tasks, so a task whose worker died is run again.

django-tasks-db marks a claimed task RUNNING, and nothing moves it again if its worker is killed
(SIGKILL, out of memory, a lost machine). So each claim gets a lease (`TaskLease`):

- written by `record_claim` in the claim's own transaction, so no claimed task is ever without
  one, and removed when the task finishes;
- renewed every quarter of ADVOCACY_TASK_LEASE_SECONDS by the worker's `LeaseKeeper` thread for
  as long as the worker lives;
- once expired, reclaimed by `reclaim`, which every worker runs when it starts (before claiming
  anything) and at every renewal: the task goes back to READY for another attempt or, once it
  has had ADVOCACY_TASK_MAX_ATTEMPTS attempts, is marked FAILED with `LeaseExpired`.

An attempt is a claim: the library appends the worker's id to `worker_ids` at each one, and
counts attempts by them. A task may thus run twice (a worker too slow to renew, a crash after its
work committed), so every task must be safe to run again: ours write through constraints or
recompute what they own.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from advocacy.core.models import TaskLease

logger = logging.getLogger(__name__)

RUNNING = TaskResultStatus.RUNNING
FINISHED = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


class LeaseExpired(Exception):
    """A task's worker stopped renewing its lease on every attempt it was allowed."""


def lease_length() -> timedelta:
    return timedelta(seconds=settings.TASK_LEASE_SECONDS)


def record_claim(
    sender: Any, instance: DBTaskResult, update_fields: Any = None, **kwargs: Any
) -> None:
    """On DBTaskResult's post_save: lease a task as it is claimed, in the claim's transaction;
    release it when its worker records the end (another worker's later lease is kept)."""
    fields = update_fields or ()
    if instance.status == RUNNING and "worker_ids" in fields and instance.worker_ids:
        started = instance.started_at or timezone.now()
        TaskLease.objects.bulk_create(
            [
                TaskLease(
                    task_id=instance.pk,
                    worker_id=instance.worker_ids[-1],
                    expires_at=started + lease_length(),
                )
            ],
            update_conflicts=True,
            unique_fields=["task"],
            update_fields=["worker_id", "expires_at"],
        )
    elif instance.status in FINISHED and "finished_at" in fields and instance.worker_ids:
        TaskLease.objects.filter(task_id=instance.pk, worker_id=instance.worker_ids[-1]).delete()


def renew(worker_id: str, *, now: datetime) -> int:
    """Extend every lease `worker_id` holds to `now` plus a lease; returns how many."""
    return TaskLease.objects.filter(worker_id=worker_id).update(expires_at=now + lease_length())


@dataclass
class Reclaimed:
    retried: list[str] = field(default_factory=list)  # back to READY
    failed: list[str] = field(default_factory=list)  # out of attempts: FAILED, LeaseExpired
    cleared: int = 0  # expired leases of tasks that had finished anyway


def give_up_words(max_attempts: int) -> str:
    return (
        f"{LeaseExpired.__module__}.{LeaseExpired.__qualname__}: the worker running this task "
        f"stopped renewing its lease (it was killed, ran out of memory or hung) on {max_attempts} "
        f"attempts, the most ADVOCACY_TASK_MAX_ATTEMPTS allows; worker_ids lists the workers. "
        "Find what stops the worker, then enqueue the task again.\n"
    )


def reclaim(
    *,
    now: datetime,
    keep_worker: str = "",
    orphans: bool = False,
    max_attempts: int | None = None,
) -> Reclaimed:
    """Take back the RUNNING tasks whose lease expired before `now`: READY again, or FAILED
    once they have had `max_attempts` attempts (default ADVOCACY_TASK_MAX_ATTEMPTS).

    `keep_worker`: the caller's own worker id, whose leases it never takes back (it is alive,
    only late renewing). `orphans`: also take back RUNNING tasks with no lease at all that
    started over a lease ago (claimed by a worker without leases, before they existed); that
    reads every RUNNING row, so workers do it only when they start.

    Set-based: one probe outside any transaction when nothing has expired (the usual case); else
    one locking read of the tasks (rows another reclaimer holds are skipped) and an UPDATE per
    outcome.
    """
    limit = settings.TASK_MAX_ATTEMPTS if max_attempts is None else max_attempts
    expired = TaskLease.objects.filter(expires_at__lt=now)
    if keep_worker:
        expired = expired.exclude(worker_id=keep_worker)
    if not orphans and not expired.exists():
        return Reclaimed()
    lost = Q(Exists(expired.filter(task=OuterRef("pk"))))
    if orphans:
        unleased = ~Exists(TaskLease.objects.filter(task=OuterRef("pk")))
        lost |= Q(unleased, started_at__lt=now - lease_length())
    result = Reclaimed()
    with transaction.atomic():
        rows = list(
            DBTaskResult.objects.filter(lost, status=RUNNING)
            .select_for_update(skip_locked=True)
            .order_by()
            .values_list("pk", "worker_ids")
        )
        result.retried = sorted(str(pk) for pk, ids in rows if len(ids) < limit)
        result.failed = sorted(str(pk) for pk, ids in rows if len(ids) >= limit)
        DBTaskResult.objects.filter(pk__in=result.retried, status=RUNNING).update(
            status=TaskResultStatus.READY
        )
        DBTaskResult.objects.filter(pk__in=result.failed, status=RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=f"{LeaseExpired.__module__}.{LeaseExpired.__qualname__}",
            traceback=give_up_words(limit),
        )
        TaskLease.objects.filter(task_id__in=[pk for pk, _ in rows]).delete()
        result.cleared, _ = expired.exclude(task__status=RUNNING).delete()
    return result


def report(found: Reclaimed) -> None:
    """Say in the log what a reclaim took back: a worker died, someone should know."""
    if found.retried:
        logger.warning(
            "%d task(s) whose worker stopped are READY again: %s",
            len(found.retried),
            ", ".join(found.retried),
        )
    if found.failed:
        logger.warning(
            "%d task(s) whose worker stopped on every attempt are FAILED: %s",
            len(found.failed),
            ", ".join(found.failed),
        )


class LeaseKeeper(threading.Thread):
    """A worker's companion: every quarter of a lease, renew the worker's leases and reclaim the
    expired ones of others. Errors (a locked SQLite file, a dropped connection) are logged and
    tried again at the next beat."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"lease-keeper-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.every = lease_length().total_seconds() / 4
        self._halt = threading.Event()

    def run(self) -> None:
        try:
            while not self._halt.wait(self.every):
                self.beat(timezone.now())
        finally:
            connections.close_all()  # this thread's own connections

    def beat(self, now: datetime) -> None:
        close_old_connections()
        try:
            renew(self.worker_id, now=now)
            report(reclaim(now=now, keep_worker=self.worker_id))
        except DatabaseError:
            logger.warning("could not renew or reclaim task leases; trying again", exc_info=True)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=60)
