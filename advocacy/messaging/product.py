"""In-product reminders: the events the customer's product shows, read from a feed or POSTed.

    publish(messages, now) -> int     # the events of a claimed batch's in_app messages
    deliver(message, *, at) -> Sent   # POST one event to ADVOCACY_PRODUCT_EVENTS_URL, signed
    signature(body, *, at) -> str     # the Advocacy-Signature header of a body
    feed(since, limit) -> list        # the events after the cursor `since`, oldest first

An `in_app` step of an ask's sequence (advocacy.messaging.outbox.queue_steps) is a Message of
channel `in_app`, delivered by the same worker, lease, holds, attempts and retries as an email.
Once it passes the holds it becomes a ProductEvent, which the feed shows from then on; with a
receiver configured the event is also POSTed to it, and the message is sent when the receiver
answers 2xx. A receiver that cannot be reached, times out, or answers 408, 429 or 5xx is tried
again later (the outbox's backoff); any other answer fails the message for good. The event
stays on the feed either way, so nothing is lost. docs/product-events.md.

The signature: `Advocacy-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
`"<t>." + body` with ADVOCACY_PRODUCT_EVENTS_SECRET. A receiver recomputes it on the raw
body, compares in constant time and refuses a `t` too far from its clock (a replay).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from advocacy.messaging.links import link_url
from advocacy.messaging.models import (
    AttemptResult,
    Message,
    ProductEvent,
)

EVENT_TYPE = "ask.reminder"
SIGNATURE_HEADER = "Advocacy-Signature"
EVENT_HEADER = "Advocacy-Event-Id"
# PostgreSQL: the advisory lock that orders the feed's inserts (any constant; this one's own).
FEED_LOCK = 0x5E0_0E7
RETRIED_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True)
class Sent:
    """What came of one POST: the outbox's attempt result, the HTTP status, what went wrong."""

    result: str
    code: int | None = None
    error: str = ""
    reason_code: str = ""


def subject_of(message: Message) -> str:
    name = message.ask.ask_type.name if message.ask is not None else "your program"
    return f"In-product reminder: {name}"[:300]


def payload_of(message: Message, now: datetime) -> dict[str, Any]:
    """What the product is told: who to show the reminder to, what it asks, where to answer."""
    contact, ask = message.advocate, message.ask
    return {
        "type": EVENT_TYPE,
        "occurred_at": now.isoformat(),
        "contact": {"id": contact.pk, "email": contact.email, "name": contact.full_name},
        "account": {"id": contact.account_id, "name": contact.account.name},
        "ask": (
            {"id": ask.pk, "type": ask.ask_type.code, "name": ask.ask_type.name}
            if ask is not None
            else None
        ),
        "step": message.step,
        "text": subject_of(message),
        "link": link_url(contact.pk, ask_id=getattr(ask, "pk", None)),
    }


def _lock() -> None:
    """Hold the feed's lock to the end of this transaction: inserts commit in id order."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FEED_LOCK])


def publish(messages: Sequence[Message], now: datetime) -> int:
    """Write the event of each in_app message of a batch still to go (loaded after the holds,
    with its `event`), once: a message that is retried keeps the event it has. One insert,
    none for a batch without one; the new events are set on the messages."""
    rows = [m for m in messages if _event_of(m) is None]
    if not rows:
        return 0
    with transaction.atomic():
        _lock()
        ProductEvent.objects.bulk_create(
            [
                ProductEvent(
                    message=m,
                    ask_id=m.ask_id,
                    contact_id=m.advocate.pk,
                    type=EVENT_TYPE,
                    occurred_at=now,
                    payload=payload_of(m, now),
                )
                for m in rows
            ],
            ignore_conflicts=True,
        )
    # ignore_conflicts leaves the ids unknown: read them back, one query.
    made = ProductEvent.objects.filter(message_id__in=[m.pk for m in rows])
    by_message = {e.message_id: e for e in made}
    for m in rows:
        if m.pk in by_message:
            m.event = by_message[m.pk]
    return len(rows)


def _event_of(message: Message) -> ProductEvent | None:
    try:
        return message.event
    except ProductEvent.DoesNotExist:
        return None


def body_of(event: ProductEvent) -> bytes:
    """The event as the feed and the receiver get it: its id and its payload, as JSON."""
    return json.dumps({"id": event.pk, **event.payload}, separators=(",", ":")).encode()


def signature(body: bytes, *, at: datetime, secret: str | None = None) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256 of "t." + body>`."""
    key = (secret if secret is not None else settings.PRODUCT_EVENTS_SECRET).encode()
    t = int(at.timestamp())
    mac = hmac.new(key, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def deliver(message: Message, *, at: datetime) -> Sent:
    """POST the message's event to the product's receiver; with none configured the event on
    the feed is the delivery, and the message is sent at once."""
    message.subject = subject_of(message)
    event = _event_of(message)
    if event is None:  # never, once publish ran
        return Sent(AttemptResult.TRANSIENT, None, "the event is not on the feed yet", "retrying")
    url = settings.PRODUCT_EVENTS_URL
    if not url:
        return Sent(AttemptResult.SENT)
    body = body_of(event)
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "advocacy",
            SIGNATURE_HEADER: signature(body, at=at),
            EVENT_HEADER: str(event.pk),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.PRODUCT_EVENTS_TIMEOUT) as answer:
            answer.read(1024)
            return Sent(AttemptResult.SENT, answer.status)
    except urllib.error.HTTPError as exc:
        said = f"{exc.code} {exc.reason}"
        if exc.code >= 500 or exc.code in RETRIED_STATUSES:
            return Sent(AttemptResult.TRANSIENT, exc.code, said, "retrying")
        return Sent(AttemptResult.PERMANENT, exc.code, said, "hook_refused")
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        why = getattr(exc, "reason", exc)
        return Sent(
            AttemptResult.TRANSIENT, None, f"the receiver could not be reached: {why}", "retrying"
        )


def feed(since: int = 0, limit: int = 100) -> list[ProductEvent]:
    """The events after the cursor `since` (an event id), oldest first."""
    return list(ProductEvent.objects.filter(pk__gt=since).order_by("pk")[:limit])


def event_out(event: ProductEvent) -> dict[str, Any]:
    """One event as the feed shows it: what the receiver is POSTed, parsed."""
    return {"id": event.pk, **event.payload}
