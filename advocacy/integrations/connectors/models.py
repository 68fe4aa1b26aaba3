"""Connections, the requests they received (the inbox), and the requests refused (rejected).

A **Connection** is one configured connector: its kind (`registry.KINDS`), a name, the token
in its inbound url (stored hashed, with a visible prefix, like an API key), the vendor's
signing secret (encrypted with a key derived from ADVOCACY_SECRET_KEY: `secrets.py`) and its
options. Removing a connection keeps its inbox (`removed_at`): its url stops answering.

An **InboxRequest** is one request as it arrived, headers and body, stored before anything else
is done with it and unique per (connection, the vendor's event id): a vendor's retry of an
event already stored changes nothing. The worker maps it to signals afterwards; it can be
mapped again at any time (replay). Legal moves of `status`:

    pending   -> processed   mapped, its signals recorded (or none: an event we do not map)
    pending   -> failed      the body could not be mapped, or its signals were refused; `error`
    processed -> pending     replayed                  failed -> pending     replayed

A **RejectedRequest** is a request whose signature was missing or wrong: kept apart, never
mapped, and pruned to the newest REJECTED_KEEP per connection.

An **AnswerRevision** is the latest revision seen of a survey answer that vendors send again when
it changes (Delighted's `updated_at`, AskNicely's `count`): its signal is rewritten only by a
higher revision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

REJECTED_KEEP = 1000  # per connection
BODY_KEPT_REJECTED = 16_384  # bytes of a rejected body kept, for diagnosis


class Connection(models.Model):
    kind = models.CharField(max_length=30)
    name = models.CharField(max_length=100, unique=True)
    # The signals' `source`: the vendor's kind, or `webhook:<name>` for the generic webhook.
    source = models.CharField(max_length=50)
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=12)
    secret_encrypted = models.TextField(blank=True)
    options = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.removed_at is None


class InboxStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be mapped"
    PROCESSED = "processed", "Mapped"
    FAILED = "failed", "Failed"


class InboxRequest(models.Model):
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="inbox")
    event_id = models.CharField(max_length=255)
    received_at = models.DateTimeField()
    method = models.CharField(max_length=10, default="POST")
    headers = models.JSONField(default=dict)
    body = models.BinaryField()
    status = models.CharField(
        max_length=10, choices=InboxStatus.choices, default=InboxStatus.PENDING
    )
    error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # What the last mapping did: signals created, answers revised, unchanged, events skipped.
    created = models.PositiveIntegerField(default=0)
    revised = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "event_id"], name="inbox_event_once")
        ]
        indexes = [
            models.Index(
                fields=["status", "received_at"],
                name="inbox_pending",
                condition=Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.connection_id}:{self.event_id}"

    def body_text(self) -> str:
        return bytes(self.body).decode("utf-8", errors="replace")


class RejectedRequest(models.Model):
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="rejected")
    received_at = models.DateTimeField()
    reason = models.CharField(max_length=300)
    headers = models.JSONField(default=dict)
    body = models.BinaryField()
    body_bytes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["connection", "id"], name="rejected_by_connection")]

    def __str__(self) -> str:
        return f"{self.connection_id}: {self.reason}"

    def body_text(self) -> str:
        return bytes(self.body).decode("utf-8", errors="replace")


class InboxDrain(models.Model):
    """One row (id 1): whether a task to map the pending requests is queued. A request sets it
    and queues the task only when it was not set (one task for a burst, not one per request);
    the task clears it before it reads what is pending, so nothing received is left behind."""

    queued = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"drain queued={self.queued}"


class AnswerRevision(models.Model):
    source = models.CharField(max_length=50)
    key = models.CharField(max_length=255)
    revision = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="answer_revision_once")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.key}@{self.revision}"
