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
