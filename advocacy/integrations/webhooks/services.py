"""Outgoing webhooks for the CLI, the API and the web UI: endpoints added (their secret shown
once), listed, removed; the delivery log and redelivery (docs/webhooks.md)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet

from advocacy.integrations.connectors import vault
from advocacy.integrations.webhooks.events import TYPES, UnknownEventType, check_types
from advocacy.integrations.webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint

S = DeliveryStatus
NAME_LENGTH = 100
LOOPBACK_NAMES = frozenset({"localhost"})


class WebhookError(Exception):
    """Bad input or a state that does not allow the operation; the message says why."""


class NoSuchEndpoint(WebhookError):
    pass


class NoSuchDelivery(WebhookError):
    pass


def _loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    """An https url, or http to this machine (a local receiver); WebhookError otherwise."""
    url = url.strip()
    if len(url) > 500:
        raise WebhookError("the url is longer than 500 characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise WebhookError(f"{url!r} is not a url") from None
    if parts.scheme not in ("http", "https") or not host:
        raise WebhookError(f"{url!r} is not an http(s) url with a host")
    if parts.username or parts.password:
        raise WebhookError("the url must not carry a user or password")
    if parts.scheme == "http" and not _loopback(host):
        raise WebhookError(
            f"{url!r}: an endpoint takes https (http only to this machine: 127.0.0.1, ::1 or "
            "localhost), since what is sent names advocates"
        )
    return url


@dataclass(frozen=True)
class EndpointView:
    endpoint: Endpoint
    counts: dict[str, int]
    last_delivered_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        e = self.endpoint
        return {
            "id": e.pk,
            "name": e.name,
            "url": e.url,
            "events": list(e.events),
            "description": e.description,
            "secret_prefix": e.secret_prefix,
            "created_at": e.created_at,
            "removed_at": e.removed_at,
            "deliveries": {s: self.counts.get(s, 0) for s in S.values},
            "last_delivered_at": self.last_delivered_at,
        }


def _views(endpoints: QuerySet[Endpoint]) -> list[EndpointView]:
    counts = endpoints.annotate(
        **{f"n_{s}": Count("deliveries", filter=Q(deliveries__status=s)) for s in S.values},
        last=Max("deliveries__delivered_at"),
    )
    return [
        EndpointView(e, {s: getattr(e, f"n_{s}") for s in S.values}, e.last)  # type: ignore[attr-defined]
        for e in counts
    ]


@transaction.atomic
def add_endpoint(
    name: str,
    url: str,
    events: Sequence[str],
    *,
    description: str = "",
    actor: Any,
    now: datetime,
) -> tuple[Endpoint, str]:
    """Create an endpoint; return it and its signing secret, which is shown only now."""
    from advocacy.integrations.webhooks.signing import new_secret

    name = name.strip()
    if not name or len(name) > NAME_LENGTH:
        raise WebhookError(f"a name of 1 to {NAME_LENGTH} characters is required")
    if len(description) > 300:
        raise WebhookError("the description is longer than 300 characters")
    url = check_url(url)
    if not events:
        raise WebhookError("subscribe to at least one event: " + ", ".join(TYPES))
    try:
        types = check_types(list(events))
    except UnknownEventType as exc:
        raise WebhookError(str(exc)) from None
    secret = new_secret()
    try:
        with transaction.atomic():
            endpoint = Endpoint.objects.create(
                name=name,
                url=url,
                events=types,
                description=description.strip(),
                secret_encrypted=vault.seal(secret),
                secret_prefix=secret[:10],
                created_at=now,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        raise WebhookError(f"an endpoint named {name!r} exists already") from None
    return endpoint, secret


def list_endpoints(*, include_removed: bool = False) -> list[EndpointView]:
    found = (
        Endpoint.objects.all()
        if include_removed
        else Endpoint.objects.filter(removed_at__isnull=True)
    )
    return _views(found.order_by("name", "pk"))


def find_endpoint(ref: str | int) -> Endpoint:
    """An endpoint in use by its name, or any by its id."""
    text = str(ref).strip()
    found = Endpoint.objects.filter(name=text, removed_at__isnull=True).first()
    if found is None and text.isdigit():
        found = Endpoint.objects.filter(pk=int(text)).first()
    if found is None:
        raise NoSuchEndpoint(f"no webhook endpoint {text!r}")
    return found


def get_endpoint(ref: str | int) -> EndpointView:
    endpoint = find_endpoint(ref)
    return _views(Endpoint.objects.filter(pk=endpoint.pk))[0]


@transaction.atomic
def remove_endpoint(ref: str | int, *, actor: Any, now: datetime) -> bool:
    """Stop sending to an endpoint: its queued deliveries fail unsent; its log is kept.
    False when it was removed already."""
    endpoint = find_endpoint(ref)
    changed = Endpoint.objects.filter(pk=endpoint.pk, removed_at__isnull=True).update(
        removed_at=now
    )
    Delivery.objects.filter(endpoint=endpoint, status=S.QUEUED).update(
        status=S.FAILED, error="the endpoint was removed"
    )
    return changed == 1


def deliveries(
    *,
    endpoint: str | int | None = None,
    status: str | None = None,
    event_type: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Delivery]:
    """The delivery log, newest first."""
    found = Delivery.objects.select_related("event", "endpoint")
    if endpoint is not None:
        found = found.filter(endpoint=find_endpoint(endpoint))
    if status:
        if status not in S.values:
            raise WebhookError(f"unknown status {status!r}: one of {', '.join(S.values)}")
        found = found.filter(status=status)
    if event_type:
        found = found.filter(event__type=event_type)
    return list(found.order_by("-created_at", "-pk")[offset : offset + limit])


def get_delivery(delivery_id: int) -> tuple[Delivery, list[Attempt]]:
    found = Delivery.objects.select_related("event", "endpoint").filter(pk=delivery_id).first()
    if found is None:
        raise NoSuchDelivery(f"no webhook delivery {delivery_id}")
    return found, list(found.log.order_by("-at", "-pk"))


@dataclass(frozen=True)
class Redelivered:
    queued: list[int]
    refused: dict[int, str]  # id -> why


@transaction.atomic
def redeliver(ids: Sequence[int], *, actor: Any, now: datetime) -> Redelivered:
    """Queue these deliveries again, due now, with a fresh count of attempts (their log is
    kept): those delivered or failed, to an endpoint still in use. One read, one UPDATE."""
    wanted = sorted(set(ids))
    if not wanted:
        raise WebhookError("name at least one delivery to redeliver")
    rows = list(
        Delivery.objects.select_for_update()
        .filter(pk__in=wanted)
        .values_list("pk", "status", "endpoint__removed_at")
    )
    held = {pk: (status, removed) for pk, status, removed in rows}
    refused: dict[int, str] = {}
    for pk in wanted:
        if pk not in held:
            refused[pk] = "no such delivery"
        elif held[pk][1] is not None:
            refused[pk] = "its endpoint was removed"
        elif held[pk][0] in (S.QUEUED, S.SENDING):
            refused[pk] = f"it is {held[pk][0]} already"
    queued = [pk for pk in wanted if pk not in refused]
    if queued:
        Delivery.objects.filter(pk__in=queued, status__in=[S.DELIVERED, S.FAILED]).update(
            status=S.QUEUED, due_at=now, attempts=0, error="", lease_until=None, claim=""
        )
    return Redelivered(queued, refused)


def delivery_row(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.pk,
        "endpoint": d.endpoint.name,
        "endpoint_id": d.endpoint_id,
        "event_type": d.event.type,
        "msg_id": d.event.msg_id,
        "status": d.status,
        "attempts": d.attempts,
        "created_at": d.created_at,
        "due_at": d.due_at,
        "delivered_at": d.delivered_at,
        "last_status": d.last_status,
        "error": d.error,
    }


def attempt_row(a: Attempt) -> dict[str, Any]:
    return {
        "at": a.at,
        "status_code": a.status_code,
        "ok": a.ok,
        "duration_ms": a.duration_ms,
        "error": a.error,
        "response": a.response,
    }
