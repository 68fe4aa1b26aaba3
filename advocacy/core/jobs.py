"""Long work out of the request: a Job record, its progress, and one task that runs it.

- `start_job(kind, ...)` records a queued Job and enqueues the one task, `run_job`, on the
  configured django-tasks backend (the database queue that `advocacy worker` runs; inline with
  the ImmediateBackend). A start by an API key takes a slot of ADVOCACY_JOB_RATE for that key,
  held by the database (`JobQuota`); none left raises `Throttled` with when to retry.
- Each kind of work is registered by the app that owns it (`register_kind` in its
  AppConfig.ready()), as periodic jobs are with the scheduler: this module knows none of them.
- The work reports its progress through a `Reporter`, once per chunk, never per row.
  `reporter(done, total)` writes the Job row in the current transaction, so the progress of work
  that commits chunk by chunk commits with the chunk it describes and never runs ahead of it.
  Work that holds one transaction open all along (a simulation, which is rolled back; a strict
  import) reports with `reporter.aside(...)`, which on PostgreSQL writes on a second connection
  that commits at once, so the progress is seen as it goes. SQLite has one writer at a time and
  that transaction holds it: there such work shows its progress when it ends.
- `execute(job_id)` (the task's body) claims the job, queued or still marked running (a worker
  that died; the task was delivered again), runs its kind and records the end: done with its
  result, or failed with the reason.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import Case, DateTimeField, F, Value, When
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from advocacy.core.models import Job, JobQuota, JobState
from advocacy.core.rates import Rate

logger = logging.getLogger(__name__)
MESSAGE_LENGTH = 500


class Reporter:
    """How a job's work tells how far it is: `reporter(done, total, message)` once per chunk."""

    def __init__(self, job: Job) -> None:
        self.job_id = job.pk
        self._second: Any = None

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Record progress in the current transaction (it commits with the work it describes)."""
        fields: dict[str, Any] = {"done": max(0, done), "updated_at": Now()}
        if total is not None:
            fields["total"] = max(0, total)
        if message is not None:
            fields["message"] = message[:MESSAGE_LENGTH]
        Job.objects.filter(pk=self.job_id).update(**fields)

    def aside(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Record progress of work inside a transaction it keeps open: seen at once on
        PostgreSQL (a second connection commits it), when the transaction ends on SQLite."""
        if connection.vendor != "postgresql" or not connection.in_atomic_block:
            self(done, total, message)
            return
        # Only on the second connection: the same row written in the open transaction too would
        # be locked by it, and the second connection would wait for it to end.
        table = connection.ops.quote_name(Job._meta.db_table)
        try:
            if self._second is None:
                self._second = connections.create_connection(DEFAULT_DB_ALIAS)
                with self._second.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '5s'")
            with self._second.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET done = %s, total = COALESCE(%s, total), "
                    "message = COALESCE(%s, message), updated_at = NOW() WHERE id = %s",
                    [
                        max(0, done),
                        total,
                        None if message is None else message[:MESSAGE_LENGTH],
                        self.job_id,
                    ],
                )
        except DatabaseError:  # progress is a courtesy: never let it stop the work
            logger.warning("job %s: progress not written aside", self.job_id, exc_info=True)

    def close(self) -> None:
        if self._second is not None:
            self._second.close()
            self._second = None


Work = Callable[[Job, Reporter], dict[str, Any]]


@dataclass(frozen=True)
class JobKind:
    """A kind of long work: its name, its label for people, the function that does it, and the
    exceptions that mean bad input (recorded as the failure's reason, not raised as a bug)."""

    name: str
    label: str
    run: Work
    expected: tuple[type[Exception], ...] = ()


KINDS: dict[str, JobKind] = {}


def register_kind(kind: JobKind) -> None:
    KINDS[kind.name] = kind


class Throttled(Exception):
    """No slot of ADVOCACY_JOB_RATE is left for this holder in the current window."""

    def __init__(self, rate: Rate, retry_after: int) -> None:
        self.rate = rate
        self.retry_after = retry_after
        super().__init__(
            f"too many jobs started: at most {rate} per API key (ADVOCACY_JOB_RATE); "
            f"retry in {retry_after} s"
        )


def window_start(now: datetime, rate: Rate) -> datetime:
    """The start of the fixed window of `rate` that holds `now` (windows counted from 1970)."""
    seconds = rate.period.total_seconds()
    stamp = now.timestamp()
    return datetime.fromtimestamp(stamp - stamp % seconds, UTC)


def take_slot(holder: str, *, now: datetime, rate: Rate) -> None:
    """Count one start against `holder`'s window, or raise Throttled when the rate is used up."""
    start = window_start(now, rate)
    JobQuota.objects.filter(holder=holder, window_start__lt=start).delete()
    JobQuota.objects.bulk_create(
        [JobQuota(holder=holder, window_start=start, used=0)], ignore_conflicts=True
    )
    taken = JobQuota.objects.filter(holder=holder, window_start=start, used__lt=rate.count).update(
        used=F("used") + 1
    )
    if not taken:
        retry_after = math.ceil((start + rate.period - now).total_seconds())
        raise Throttled(rate, max(1, retry_after))


def create_job(
    kind: str,
    *,
    title: str,
    now: datetime,
    params: dict[str, Any] | None = None,
    actor: Any = None,
    api_key: str = "",
    unit: str = "",
    total: int | None = None,
    message: str = "",
) -> Job:
    """Record a queued job (after taking a slot of the rate when an API key starts it)."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}: expected one of {', '.join(sorted(KINDS))}")
    if api_key:
        take_slot(f"key:{api_key}", now=now, rate=settings.JOB_RATE)
    return Job.objects.create(
        kind=kind,
        title=title[:300],
        params=params or {},
        unit=unit,
        total=total,
        message=message[:MESSAGE_LENGTH],
        created_by=actor if getattr(actor, "pk", None) else None,
        api_key=api_key,
        queued_at=now,
        updated_at=now,
    )


def enqueue_job(job: Job) -> Job:
    """Hand the job to the task backend; returns it as it stands after (the ImmediateBackend
    has run it already)."""
    from advocacy.core.tasks import run_job

    result = run_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def start_job(kind: str, **fields: Any) -> Job:
    """`create_job` and `enqueue_job` in one transaction: a job is queued exactly when its
    record exists (the database backend's queue row is written in the same transaction)."""
    with transaction.atomic():
        return enqueue_job(create_job(kind, **fields))


def attach_artefact(job: Job, name: str, content: bytes) -> str:
    """Keep a file the job produced (in MEDIA_ROOT/jobs/); returns its stored name."""
    job.artefact.save(name, ContentFile(content), save=False)
    stored = str(job.artefact.name)
    Job.objects.filter(pk=job.pk).update(artefact=stored)
    return stored


def job_summary(job: Job) -> dict[str, Any]:
    """The job as plain data (the CLI's JSON)."""
    return {
        "id": job.pk,
        "kind": job.kind,
        "state": job.state,
        "title": job.title,
        "done": job.done,
        "total": job.total,
        "unit": job.unit,
        "percent": job.percent,
        "message": job.message,
        "result": job.result,
        "started_by": job.created_by.get_username() if job.created_by else None,
        "api_key": job.api_key or None,
        "queued_at": job.queued_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "updated_at": job.updated_at.isoformat(),
        "artefact": job.artefact.name or None,
    }


def _end(job_id: int, state: str, *, result: dict[str, Any] | None, message: str | None) -> None:
    now = timezone.now()
    fields: dict[str, Any] = {"state": state, "finished_at": now, "updated_at": now}
    if result is not None:
        fields["result"] = result
    if message is not None:
        fields["message"] = message[:MESSAGE_LENGTH]
    if state == JobState.DONE:
        fields["done"] = Case(When(total__isnull=False, then=F("total")), default=F("done"))
    Job.objects.filter(pk=job_id).update(**fields)


def execute(job_id: int) -> dict[str, Any]:
    """Run a queued job (or one a dead worker left running) and record how it ended."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state__in=(JobState.QUEUED, JobState.RUNNING)).update(
        state=JobState.RUNNING,
        attempts=F("attempts") + 1,
        started_at=Coalesce("started_at", Value(now, output_field=DateTimeField())),
        updated_at=now,
    )
    if not claimed:
        return {"job": job_id, "ran": False}
    job = Job.objects.select_related("created_by").get(pk=job_id)
    kind = KINDS.get(job.kind)
    if kind is None:
        _end(job_id, JobState.FAILED, result=None, message=f"no app runs jobs of kind {job.kind!r}")
        return {"job": job_id, "ran": False}
    reporter = Reporter(job)
    # Inside a caller's transaction (the ImmediateBackend), a savepoint keeps a failed job's
    # writes from breaking that transaction; in the worker, the work commits as it goes.
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with guard:
            result = kind.run(job, reporter)
    except kind.expected as exc:
        _end(job_id, JobState.FAILED, result=None, message=str(exc))
        return {"job": job_id, "ran": True, "state": JobState.FAILED.value}
    except Exception as exc:
        _end(job_id, JobState.FAILED, result=None, message=f"stopped by an error: {exc}")
        raise
    finally:
        reporter.close()
    _end(job_id, JobState.DONE, result=result, message=None)
    return {"job": job_id, "ran": True, "state": JobState.DONE.value}
