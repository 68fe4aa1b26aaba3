"""Infrastructure tables shared by every area: no business concepts live here."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TransitionEvent(models.Model):
    """One move of a state machine (an ask's, an asset's): from, to, who, when and why.

    Subclasses add the foreign key to what moved and `to_status` with their own choices.
    """

    from_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {getattr(self, 'to_status', '')}"


class IdempotencyRecord(models.Model):
    """The stored answer to one write made with an Idempotency-Key header.

    Unique per (user, key): a replay with the same body returns the stored answer; the same key
    with a different body is refused (422), so a client bug cannot silently write twice. The row
    is written in the same transaction as the write it guards, so it exists only for writes that
    succeeded.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    response_body = models.BinaryField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class ScheduledJob(models.Model):
    """When a periodic job (advocacy.core.scheduler) may next be enqueued."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} next at {self.next_run_at}"


class TaskLease(models.Model):
    """How long the worker running a background task is trusted to still be alive.

    One row beside each RUNNING row of django-tasks-db's table, written in the claim's own
    transaction and renewed by the worker while it lives (advocacy.core.leases); a task whose
    lease ran out is reclaimed by the next worker to look.
    """

    task = models.OneToOneField(
        "django_tasks_database.DBTaskResult",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="lease",
    )
    worker_id = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.task_id} held by {self.worker_id} until {self.expires_at}"


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


FINISHED_STATES = (JobState.DONE, JobState.FAILED)


class Job(models.Model):
    """One piece of long work run in the background (advocacy.core.jobs): what, how far, how it
    ended, and who started it.

    `done` of `total` (in `unit`) is written once per chunk of the work, in the same transaction
    as the chunk when the work commits chunk by chunk, so it never runs ahead of what is done.
    `total` is empty while unknown. The result is a small JSON object; a produced file (a PDF)
    is the `artefact`.
    """

    kind = models.CharField(max_length=30)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    title = models.CharField(max_length=300)
    params = models.JSONField(default=dict, blank=True)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    unit = models.CharField(max_length=30, blank=True)
    message = models.CharField(max_length=500, blank=True)
    result = models.JSONField(default=dict, blank=True)
    artefact = models.FileField(upload_to="jobs/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.CharField(
        max_length=16, blank=True, help_text="Prefix of the API key that started it, if any."
    )
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(help_text="When it last reported progress.")

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["state", "queued_at"], name="job_state_queued")]

    def __str__(self) -> str:
        return f"job {self.pk}: {self.title} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def kind_label(self) -> str:
        """The name people read for its kind, as the app that runs it registered it."""
        from advocacy.core.jobs import KINDS

        kind = KINDS.get(self.kind)
        return kind.label if kind else self.kind

    @property
    def percent(self) -> int | None:
        """Whole percent done, or None while the total is unknown."""
        if self.state == JobState.DONE:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)


class JobQuota(models.Model):
    """How many jobs one holder (an API key) started in one window of ADVOCACY_JOB_RATE.

    Unique per (holder, window start); a start takes a slot with a conditional UPDATE
    (`used < limit`), so concurrent requests can never take more slots than the rate allows.
    """

    holder = models.CharField(max_length=100)
    window_start = models.DateTimeField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "window_start"], name="jobquota_unique_holder_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.holder}: {self.used} from {self.window_start}"
