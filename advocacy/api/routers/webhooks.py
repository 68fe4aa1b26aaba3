"""/api/webhooks: outgoing webhook endpoints, their delivery log and redelivery
(docs/webhooks.md).

Adding and removing endpoints and redelivering is for admins (`connectors:write`); customer
success may read the log. An endpoint's secret is answered once, at creation.
"""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, Id, bounded
from advocacy.integrations.webhooks.events import TYPES
from advocacy.integrations.webhooks.models import DeliveryStatus
from advocacy.integrations.webhooks.services import (
    NoSuchDelivery,
    NoSuchEndpoint,
    WebhookError,
    add_endpoint,
    attempt_row,
    deliveries,
    delivery_row,
    get_delivery,
    get_endpoint,
    list_endpoints,
    redeliver,
    remove_endpoint,
)

router = ScopedRouter(tags=["webhooks"])
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


class WebhookEventTypeOut(Schema):
    type: str = Field(description="`object.action`")
    description: str


class WebhookEndpointOut(Schema):
    id: int
    name: str
    url: str
    events: list[str] = Field(description="The event types it is sent")
    description: str
    secret_prefix: str = Field(description="The secret's first characters, to tell it apart")
    created_at: datetime
    removed_at: datetime | None
    deliveries: dict[str, int] = Field(description="Deliveries by status")
    last_delivered_at: datetime | None


class WebhookAddedOut(WebhookEndpointOut):
    secret: str = Field(description="The signing secret (`whsec_...`): shown this once")


class WebhookEndpointIn(Schema):
    name: Annotated[str, bounded(100, min_length=1)]
    url: Annotated[str, bounded(500, min_length=1)] = Field(
        description="https (http only to a loopback address)"
    )
    events: list[Annotated[str, bounded(50)]] = Field(
        default_factory=lambda: list(TYPES),
        max_length=len(TYPES),
        description="Event types to send (default: all): " + ", ".join(TYPES),
    )
    description: Annotated[str, bounded(300)] = ""


class WebhookRemovedOut(Schema):
    removed: bool = Field(description="False when it was removed already")


class WebhookDeliveryOut(Schema):
    id: int
    endpoint: str
    endpoint_id: int
    event_type: str
    msg_id: str = Field(description="The `webhook-id` header every attempt carries")
    status: DeliveryStatus
    attempts: int = Field(description="Attempts since it was last queued")
    created_at: datetime
    due_at: datetime
    delivered_at: datetime | None
    last_status: int | None = Field(description="The HTTP status of the last answer")
    error: str


class WebhookAttemptOut(Schema):
    at: datetime
    status_code: int = Field(description="0: no answer (refused, timed out)")
    ok: bool
    duration_ms: int
    error: str
    response: str = Field(description="The start of the endpoint's answer")


class WebhookDeliveryDetailOut(WebhookDeliveryOut):
    payload: dict[str, Any] = Field(description="The body sent")
    attempts_log: list[WebhookAttemptOut] = Field(description="Every attempt, newest first")


class WebhookDeliveryFilters(Schema):
    endpoint: int | None = Field(None, ge=1, le=MAX_ID, description="An endpoint's id")
    status: DeliveryStatus | None = None
    event: Annotated[str, bounded(50)] = ""
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=1_000_000)


class WebhookRedeliverIn(Schema):
    ids: list[Id] = Field(min_length=1, max_length=1000)


class WebhookRedeliveredOut(Schema):
    queued: list[int]
    refused: dict[str, str] = Field(description="Delivery id: why it was not queued")


def _refused(exc: WebhookError) -> HttpError:
    return HttpError(404 if isinstance(exc, NoSuchEndpoint | NoSuchDelivery) else 422, str(exc))


@router.get(
    "/webhooks/event-types",
    response=list[WebhookEventTypeOut],
    operation_id="list_webhook_event_types",
)
def event_types(request: HttpRequest) -> list[dict[str, str]]:
    """The events an endpoint may subscribe to."""
    return [{"type": t, "description": d} for t, d in TYPES.items()]


@router.get("/webhooks", response=list[WebhookEndpointOut], operation_id="list_webhooks")
def list_all(request: HttpRequest, removed: bool = False) -> list[dict[str, Any]]:
    """Every endpoint in use (with `removed`, also the removed ones), never a secret."""
    return [v.as_dict() for v in list_endpoints(include_removed=removed)]


@router.post("/webhooks", response={201: WebhookAddedOut}, operation_id="add_webhook")
def add(request: HttpRequest, payload: WebhookEndpointIn) -> Status[dict[str, Any]]:
    """Add an endpoint; the answer's `secret` is shown only this once."""
    try:
        endpoint, secret = add_endpoint(
            payload.name, payload.url, payload.events, description=payload.description,
            actor=principal_of(request).user, now=timezone.now(),
        )  # fmt: skip
    except WebhookError as exc:
        raise _refused(exc) from None
    return Status(201, get_endpoint(endpoint.pk).as_dict() | {"secret": secret})


@router.get(
    "/webhooks/deliveries",
    response=list[WebhookDeliveryOut],
    operation_id="list_webhook_deliveries",
)
def list_deliveries(
    request: HttpRequest, filters: Query[WebhookDeliveryFilters]
) -> list[dict[str, Any]]:
    """The delivery log, newest first."""
    try:
        rows = deliveries(
            endpoint=filters.endpoint, status=filters.status, event_type=filters.event or None,
            limit=filters.limit, offset=filters.offset,
        )  # fmt: skip
    except WebhookError as exc:
        raise _refused(exc) from None
    return [delivery_row(d) for d in rows]


@router.get(
    "/webhooks/deliveries/{int:delivery_id}",
    response=WebhookDeliveryDetailOut,
    operation_id="get_webhook_delivery",
)
def show_delivery(request: HttpRequest, delivery_id: PathId) -> dict[str, Any]:
    """One delivery: the body sent and every attempt."""
    try:
        found, log = get_delivery(delivery_id)
    except WebhookError as exc:
        raise _refused(exc) from None
    return delivery_row(found) | {
        "payload": found.event.payload,
        "attempts_log": [attempt_row(a) for a in log],
    }


@router.post(
    "/webhooks/deliveries/redeliver",
    response=WebhookRedeliveredOut,
    operation_id="redeliver_webhooks",
)
def redeliver_some(request: HttpRequest, payload: WebhookRedeliverIn) -> dict[str, Any]:
    """Queue delivered or failed deliveries again, due now (a fresh count of attempts)."""
    try:
        outcome = redeliver(payload.ids, actor=principal_of(request).user, now=timezone.now())
    except WebhookError as exc:
        raise _refused(exc) from None
    return {"queued": outcome.queued, "refused": {str(k): v for k, v in outcome.refused.items()}}


@router.get("/webhooks/{int:endpoint_id}", response=WebhookEndpointOut, operation_id="get_webhook")
def show(request: HttpRequest, endpoint_id: PathId) -> dict[str, Any]:
    try:
        return get_endpoint(endpoint_id).as_dict()
    except WebhookError as exc:
        raise _refused(exc) from None


@router.delete(
    "/webhooks/{int:endpoint_id}", response=WebhookRemovedOut, operation_id="remove_webhook"
)
def remove(request: HttpRequest, endpoint_id: PathId) -> dict[str, Any]:
    """Stop sending to the endpoint: its queued deliveries fail unsent; its log is kept."""
    try:
        changed = remove_endpoint(endpoint_id, actor=principal_of(request).user, now=timezone.now())
    except WebhookError as exc:
        raise _refused(exc) from None
    return {"removed": changed}
