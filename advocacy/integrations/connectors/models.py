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

A **SyncCursor** is how far a CRM connection's sync of one object has come: the CRM's
modification time (and id) of the last record of the last page committed. It moves in the
page's own transaction, so a sync stopped mid-way goes on from the last page it wrote.

A **SyncRun** is one run of a CRM sync: when, how it ended, and its counts per object.

A **WriteBack** is one change to make in the CRM (an activity on an opportunity, a lead, the
advocate flag on a contact), queued in the transaction of what caused it, unique per
(connection, key), sent by the worker and retried with a growing delay until it is taken.

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
    # A CRM connection's access token of the moment (OAuth), sealed like the secret; renewed
    # with the refresh token when the CRM says it expired (advocacy.integrations.connectors.crm).
    access_encrypted = models.TextField(blank=True, default="")

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


class SyncCursor(models.Model):
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="cursors")
    object = models.CharField(max_length=50)
    modified_at = models.DateTimeField(null=True, blank=True)
    last_id = models.CharField(max_length=255, blank=True)
    synced = models.PositiveIntegerField(default=0, help_text="Records written, every run.")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["connection", "object"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "object"], name="sync_cursor_once")
        ]

    def __str__(self) -> str:
        return f"{self.connection_id}:{self.object}@{self.modified_at}"


class SyncState(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class SyncRun(models.Model):
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="syncs")
    state = models.CharField(max_length=10, choices=SyncState.choices, default=SyncState.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # {object: {"fetched": n, "created": n, "updated": n, "unchanged": n, "rejected": n}}
    counts = models.JSONField(default=dict, blank=True)
    pages = models.PositiveIntegerField(default=0)
    retries = models.PositiveIntegerField(default=0, help_text="429s waited out, tokens renewed")
    error = models.TextField(blank=True)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["connection", "-started_at"], name="sync_run_latest")]
        constraints = [
            # One sync of a connection at a time (a run left running by a dead worker is
            # closed as failed by the next one, after STALE_RUN).
            models.UniqueConstraint(
                fields=["connection"], condition=Q(state="running"), name="sync_run_one_running"
            )
        ]

    def __str__(self) -> str:
        return f"sync of {self.connection_id} at {self.started_at}: {self.state}"


class WriteBackKind(models.TextChoices):
    ACTIVITY = "activity", "Reference activity on the opportunity"
    LEAD = "lead", "Referral as a lead"
    ADVOCATE = "advocate", "Advocate flag on the contact"


class WriteBackStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENT = "sent", "Sent"
    FAILED = "failed", "Given up"


class WriteBack(models.Model):
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="write_backs")
    kind = models.CharField(max_length=10, choices=WriteBackKind.choices)
    key = models.CharField(max_length=255, help_text="What it is about, once per connection.")
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=WriteBackStatus.choices, default=WriteBackStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    error = models.TextField(blank=True)
    external_id = models.CharField(max_length=255, blank=True, help_text="The CRM's id of it.")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "key"], name="write_back_once")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="write_back_due",
                condition=Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: {self.status}"
