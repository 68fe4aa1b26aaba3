"""Periodic work: a registry of jobs and one tick that enqueues those that are due.

A job is due when its row's `next_run_at` has passed. The tick claims it with a conditional
UPDATE that moves `next_run_at` forward, and enqueues the job's task only if that UPDATE changed
a row, so any number of schedulers on any number of machines never enqueue a job twice.
With the database task backend the enqueue is an INSERT in the claim's own transaction: a
scheduler that dies between the two leaves neither, and the job stays due for the next tick.
Upper layers register their jobs in their AppConfig.ready(); this module knows none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend

from advocacy.core.models import ScheduledJob


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    enqueue: Callable[[], object]
    description: str = ""


REGISTRY: dict[str, Job] = {}


def register(job: Job) -> None:
    REGISTRY[job.name] = job


def enqueues_in_database() -> bool:
    """Whether enqueueing a task writes its row in this database (django-tasks-db), so it can
    commit with the claim; any other backend (running tasks inline) is called after commit."""
    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def tick(now: datetime) -> list[str]:
    """Enqueue every due job once; returns the names enqueued by this tick.

    Each job is claimed and enqueued in one transaction: if the enqueue fails, the claim is
    rolled back with it and the error goes up, the job still due.
    """
    ScheduledJob.objects.bulk_create(
        [ScheduledJob(name=name, next_run_at=now) for name in REGISTRY], ignore_conflicts=True
    )
    inline = enqueues_in_database()
    started: list[str] = []
    for name, job in sorted(REGISTRY.items()):
        with transaction.atomic():
            claimed = ScheduledJob.objects.filter(name=name, next_run_at__lte=now).update(
                next_run_at=now + job.every, last_run_at=now
            )
            if claimed == 1:
                if inline:
                    job.enqueue()
                else:
                    transaction.on_commit(job.enqueue)
                started.append(name)
    return started
