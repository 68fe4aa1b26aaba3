"""Periodic work: a registry of jobs and one tick that enqueues those that are due.

A job is due when its row's `next_run_at` has passed. The tick claims it with a conditional
UPDATE that moves `next_run_at` forward, and enqueues the job's task only if that UPDATE changed
a row, so any number of schedulers on any number of machines never enqueue a job twice.
Upper layers register their jobs in their AppConfig.ready(); this module knows none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

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


def tick(now: datetime) -> list[str]:
    """Enqueue every due job once; returns the names enqueued by this tick."""
    ScheduledJob.objects.bulk_create(
        [ScheduledJob(name=name, next_run_at=now) for name in REGISTRY], ignore_conflicts=True
    )
    started: list[str] = []
    for name, job in sorted(REGISTRY.items()):
        with transaction.atomic():
            claimed = ScheduledJob.objects.filter(name=name, next_run_at__lte=now).update(
                next_run_at=now + job.every, last_run_at=now
            )
            if claimed == 1:
                transaction.on_commit(job.enqueue)
                started.append(name)
    return started
