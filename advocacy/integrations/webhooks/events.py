"""The event types an endpoint may subscribe to, and `emit`, which writes events and their
deliveries in the caller's transaction.

An event's body follows Standard Webhooks' payload shape: `{"type", "timestamp", "data"}`,
`type` an `object.action` name. `emit` is set-based: one read of the endpoints subscribed to
the type (nothing else when there is none), one insert of the events against their unique
`key` (a cause run twice writes one event), one read of their ids, one insert of the
deliveries against (event, endpoint).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from advocacy.integrations.webhooks.models import Delivery, Endpoint, Event

TYPES: dict[str, str] = {
    "ask.opened": "An ask was opened for an advocate (by a play or by hand).",
    "ask.completed": "An advocate did what an ask asked (a call held, a quote approved...).",
    "reference.filled": "A reference request was filled: an advocate takes the call.",
    "content.published": "A piece of content (case study, quote, video...) was published.",
    "reward.credited": "A reward was credited to an advocate's ledger.",
}


class UnknownEventType(ValueError):
    pass


def check_types(names: Sequence[str]) -> list[str]:
    """The subscribed types, deduplicated in catalogue order; ValueError naming the unknown."""
    unknown = [n for n in names if n not in TYPES]
    if unknown:
        raise UnknownEventType(
            f"unknown event type {', '.join(map(repr, unknown))}: expected one of "
            + ", ".join(TYPES)
        )
    wanted = set(names)
    return [t for t in TYPES if t in wanted]


@dataclass(frozen=True)
class Fact:
    key: str  # the fact's identity, unique across types (prefix it with the type)
    data: Mapping[str, Any]


def subscribers(event_type: str) -> list[int]:
    """The active endpoints subscribed to `event_type` (one query, a handful of rows)."""
    return [
        pk
        for pk, events in Endpoint.objects.filter(removed_at__isnull=True).values_list(
            "pk", "events"
        )
        if event_type in events
    ]


def emit(event_type: str, facts: Sequence[Fact], *, now: datetime) -> int:
    """Write the events of `facts` and a delivery to each subscribed endpoint; returns how many
    events were new. Call it inside the cause's transaction."""
    if event_type not in TYPES:
        raise UnknownEventType(event_type)
    if not facts:
        return 0
    endpoints = subscribers(event_type)
    if not endpoints:
        return 0
    stamp = now.isoformat().replace("+00:00", "Z")
    keys = [f.key for f in facts]
    existing = set(Event.objects.filter(key__in=keys).values_list("key", flat=True))
    Event.objects.bulk_create(
        [
            Event(
                msg_id="msg_" + uuid.uuid4().hex,
                type=event_type,
                key=f.key,
                payload={"type": event_type, "timestamp": stamp, "data": dict(f.data)},
                occurred_at=now,
            )
            for f in facts
            if f.key not in existing
        ],
        ignore_conflicts=True,
    )
    new = list(
        Event.objects.filter(key__in=[k for k in keys if k not in existing]).values_list(
            "pk", flat=True
        )
    )
    Delivery.objects.bulk_create(
        [
            Delivery(event_id=event, endpoint_id=endpoint, created_at=now, due_at=now)
            for event in new
            for endpoint in endpoints
        ],
        ignore_conflicts=True,
    )
    return len(new)
