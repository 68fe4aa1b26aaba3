"""Outgoing webhooks (docs/webhooks.md): the endpoints the team subscribes, the events the
program writes for them, one delivery per (event, endpoint) and each attempt at it.

An **Endpoint** is a url, the event types it subscribes to and its signing secret (`whsec_`,
encrypted like the connections' secrets, shown once). Removing one keeps its log
(`removed_at`) and stops its queued deliveries.

An **Event** is one fact (`ask.opened`, `reward.credited`, ...), written in the transaction of
its cause, unique per `key` (the fact's identity: the cause run twice writes one event). Its
`msg_id` is the `webhook-id` every delivery of it carries, so a receiver dedupes retries.
Events are written only when an endpoint subscribes to their type.

A **Delivery** is one event sent to one endpoint. Legal moves of `status`:

    queued  -> sending   claimed by a worker, under a lease
    sending -> delivered the endpoint answered 2xx
    sending -> queued    any other answer, or none: retried after a doubling wait (or the
                         worker died: its lease ran out)
    sending -> failed    out of attempts (ADVOCACY_WEBHOOK_MAX_ATTEMPTS), or the endpoint
                         was removed
    delivered, failed -> queued    redelivered by the team

An **Attempt** is one POST of a delivery: when, the answer's status (0: no answer), how long
it took, and the start of what the endpoint said.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q


class Endpoint(models.Model):
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, help_text="Event types subscribed to.")
    description = models.CharField(max_length=300, blank=True)
    secret_encrypted = models.TextField()
    secret_prefix = models.CharField(max_length=16, help_text="The secret's first characters.")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=Q(removed_at__isnull=True), name="webhook_endpoint_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.removed_at is None


class Event(models.Model):
    msg_id = models.CharField(max_length=40, unique=True)
    type = models.CharField(max_length=50)
    key = models.CharField(max_length=255, unique=True, help_text="The fact's identity.")
    payload = models.JSONField(help_text="The body sent: type, timestamp and data.")
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["type", "occurred_at"], name="webhook_event_type_at")]

    def __str__(self) -> str:
        return f"{self.type} {self.msg_id}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


S = DeliveryStatus


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def due(self, now: datetime) -> DeliveryQuerySet:
        """Queued and due, or claimed by a worker whose lease ran out."""
        return self.filter(
            Q(status=S.QUEUED, due_at__lte=now) | Q(status=S.SENDING, lease_until__lt=now)
        )


class Delivery(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=S.QUEUED)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0, help_text="Attempts since last queued.")
    lease_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_once")
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="webhook_delivery_due"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.endpoint_id}: {self.status}"


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField()
    status_code = models.PositiveIntegerField(default=0, help_text="0: no answer.")
    ok = models.BooleanField(default=False)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    response = models.CharField(max_length=1000, blank=True, help_text="The answer's start.")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["delivery", "at"], name="webhook_attempt_delivery")]

    def __str__(self) -> str:
        return f"{self.delivery_id}@{self.at:%Y-%m-%d %H:%M:%S}: {self.status_code}"
