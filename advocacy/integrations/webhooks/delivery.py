"""Deliver the queued webhook deliveries: claimed under a lease, POSTed signed, each attempt
logged, retried with a doubling wait.

One pass (`deliver_due`, run by a thread of `advocacy worker`, `loop.py`, every
ADVOCACY_OUTBOX_POLL_SECONDS; with `advocacy worker --batch`, once before it exits):

1. **Claim** up to ADVOCACY_OUTBOX_BATCH due deliveries under a lease of
   ADVOCACY_OUTBOX_LEASE_SECONDS by conditional UPDATE with this batch's token (`FOR UPDATE
   SKIP LOCKED` on PostgreSQL): two workers never send the same delivery at once, and one
   whose worker died is claimed again once its lease runs out.
2. **Send** each: a POST of the event's body, signed for its endpoint (Standard Webhooks),
   within ADVOCACY_WEBHOOK_TIMEOUT_SECONDS; redirects are not followed.
3. **Record** the batch in one transaction: its attempts (one insert) and its deliveries (one
   UPDATE). A 2xx answer delivers it; any other answer, or none, queues it again after
   ADVOCACY_WEBHOOK_RETRY_SECONDS, doubled at each attempt (at most a day), until
   ADVOCACY_WEBHOOK_MAX_ATTEMPTS attempts fail it. A delivery to a removed endpoint fails at
   once, unsent.

At least once: a worker killed between the endpoint's answer and step 3 leaves the delivery
`sending`; it is sent again, with the same `webhook-id`, once its lease runs out.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from advocacy.integrations.connectors.vault import SecretUnreadable, unseal
from advocacy.integrations.webhooks.models import Attempt, Delivery, DeliveryStatus
from advocacy.integrations.webhooks.signing import headers

S = DeliveryStatus
MAX_BATCHES = 20  # per pass: the rest waits for the next beat
KEEP_ANSWER = 1000


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is an answer like any other non-2xx: retried, logged


_opener = urllib.request.build_opener(_NoRedirect)


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def backoff(attempts: int) -> timedelta:
    seconds = settings.WEBHOOK_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, 24 * 3600))


def claim(now: datetime, *, size: int) -> str | None:
    """Claim up to `size` due deliveries; the batch's token, or None (a read first: nothing
    due takes no write lock)."""
    if not Delivery.objects.due(now).exists():
        return None
    with transaction.atomic():
        ids = list(
            Delivery.objects.due(now)
            .order_by("due_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:size]
        )
        token = uuid.uuid4().hex
        claimed = (
            Delivery.objects.filter(pk__in=ids)
            .due(now)
            .update(
                status=S.SENDING,
                claim=token,
                lease_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
            )
        )
    return token if claimed else None


@dataclass
class Sent:
    delivery: Delivery
    at: datetime
    status_code: int = 0
    ok: bool = False
    duration_ms: int = 0
    error: str = ""
    response: str = ""
    send: bool = True  # False: not sent (its endpoint was removed)


def send(delivery: Delivery, *, now: datetime) -> Sent:
    """POST one delivery to its endpoint; what happened, never an exception."""
    endpoint = delivery.endpoint
    if endpoint.removed_at is not None:
        return Sent(delivery, now, error="the endpoint was removed", send=False)
    try:
        secret = unseal(endpoint.secret_encrypted)
    except SecretUnreadable as exc:
        return Sent(delivery, now, error=str(exc))
    body = body_of(delivery.event.payload)
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers=headers(secret, delivery.event.msg_id, int(now.timestamp()), body)
        | {"user-agent": "advocacy-webhooks/1"},
    )
    started = time.monotonic()
    outcome = Sent(delivery, now)
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as answer:
            outcome.status_code = answer.status
            outcome.response = answer.read(KEEP_ANSWER).decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        outcome.status_code = exc.code
        outcome.response = exc.read(KEEP_ANSWER).decode("utf-8", errors="replace")
        outcome.error = f"the endpoint answered {exc.code} {exc.reason}"
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        why = getattr(exc, "reason", exc)
        outcome.error = f"the endpoint could not be reached: {why}"
    outcome.duration_ms = int((time.monotonic() - started) * 1000)
    outcome.ok = 200 <= outcome.status_code < 300
    if not outcome.ok and not outcome.error:
        outcome.error = f"the endpoint answered {outcome.status_code}"
    return outcome


@transaction.atomic
def record(outcomes: list[Sent], *, now: datetime) -> int:
    """Write a batch's attempts (one insert) and its deliveries (one UPDATE); how many went."""
    limit = settings.WEBHOOK_MAX_ATTEMPTS
    attempts = []
    for o in outcomes:
        d = o.delivery
        d.lease_until, d.claim = None, ""
        if o.send:
            d.attempts += 1
            d.last_status = o.status_code or None
            attempts.append(
                Attempt(
                    delivery=d, at=o.at, status_code=o.status_code, ok=o.ok,
                    duration_ms=o.duration_ms, error=o.error[:500],
                    response=o.response[:KEEP_ANSWER],
                )
            )  # fmt: skip
        if o.ok:
            d.status, d.delivered_at, d.error = S.DELIVERED, now, ""
        elif o.send and d.attempts < limit:
            d.status, d.due_at = S.QUEUED, now + backoff(d.attempts)
            d.error = f"attempt {d.attempts} of {limit}: {o.error}"[:500]
        else:
            d.status, d.error = S.FAILED, o.error[:500]
    Attempt.objects.bulk_create(attempts)
    Delivery.objects.bulk_update(
        [o.delivery for o in outcomes],
        ["status", "attempts", "due_at", "lease_until", "claim", "delivered_at", "last_status",
         "error"],
    )  # fmt: skip
    return sum(1 for o in outcomes if o.ok)


def deliver_due(now: datetime, worker_id: str = "") -> int:
    """Claim, send and record what is due now, batch after batch; how many were delivered."""
    delivered = 0
    for _ in range(MAX_BATCHES):
        token = claim(now, size=settings.OUTBOX_BATCH)
        if token is None:
            break
        batch = list(
            Delivery.objects.filter(claim=token, status=S.SENDING)
            .select_related("event", "endpoint")
            .order_by("due_at", "pk")
        )
        delivered += record([send(d, now=now) for d in batch], now=now)
    return delivered
