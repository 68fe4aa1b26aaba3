"""/api/connections and /api/inbox: connections (inbound webhooks from survey tools and CRMs),
the requests they received and the ones refused for their signature (docs/connectors.md).

Adding and removing connections, replaying the inbox and syncing a CRM connection (a job: 202)
is for admins (`connectors:write`); customer success may read. A connection's url is answered
once, at creation; its secret never.
"""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Path, Query, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.routers.jobs import STARTED, STARTED_HEADERS, accepted, key_prefix
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, NO_NUL, Id, bounded
from advocacy.core.models import Job
from advocacy.integrations.connectors import registry
from advocacy.integrations.connectors.crm import CrmError, NoSuchCrm
from advocacy.integrations.connectors.jobs import start_sync
from advocacy.integrations.connectors.models import (
    InboxRequest,
    InboxStatus,
    RejectedRequest,
    WriteBackStatus,
)
from advocacy.integrations.connectors.services import (
    ConnectorError,
    NoSuchConnection,
    add_connection,
    get_connection,
    inbox,
    list_connections,
    rejected,
    remove_connection,
    replay,
)
from advocacy.integrations.connectors.writeback import write_back_row, write_backs

router = ScopedRouter(tags=["connections"])
Name = Annotated[str, Path(max_length=100, pattern=NO_NUL)]


class SyncOut(Schema):
    state: str | None = Field(description="The last run's: running, done, failed; null: never")
    started_at: datetime | None
    finished_at: datetime | None
    pages: int
    error: str = Field(description="Why the last run stopped")
    counts: dict[str, dict[str, int]] = Field(
        description="Per object: fetched, created, updated, unchanged, rejected, skipped"
    )
    cursors: dict[str, datetime | None] = Field(
        description="Per object: the CRM's change time of the last record written"
    )
    write_backs: dict[str, int] = Field(
        description="Changes written back to the CRM, by status: pending, sent, failed"
    )


class ConnectionOut(Schema):
    id: int
    kind: str
    label: str
    name: str
    source: str = Field(description="The `source` of the signals it records")
    url: str = Field(description="Its url with the token cut short: the whole url is shown once")
    has_secret: bool
    options: dict[str, str]
    created_at: datetime
    removed_at: datetime | None
    inbox: dict[str, int] = Field(description="Requests by status, and `rejected`")
    last_received_at: datetime | None
    syncs: bool = Field(description="A CRM connection: synced from, takes no webhooks")
    sync: SyncOut | None = Field(description="A CRM connection's last sync and its cursors")


class AddedOut(ConnectionOut):
    url: str = Field(description="The url to give the vendor, token included: shown this once")


class ConnectionIn(Schema):
    kind: Annotated[str, bounded(30, min_length=1)] = Field(
        description="One of: " + ", ".join(sorted(registry.KINDS))
    )
    name: Annotated[str, bounded(100, min_length=1)]
    secret: Annotated[str, bounded(500)] = Field(
        "", description="The vendor's signing secret; never returned"
    )
    options: dict[Annotated[str, bounded(50)], Annotated[str, bounded(200)]] = {}


class RemovedOut(Schema):
    removed: bool = Field(description="False when it was removed already")


class InboxOut(Schema):
    id: int
    connection: str = Field(description="The connection's name")
    event_id: str
    received_at: datetime
    status: InboxStatus
    error: str
    attempts: int
    created: int
    revised: int
    unchanged: int
    skipped: int


class InboxDetailOut(InboxOut):
    headers: dict[str, str]
    body: str = Field(description="The body as received (UTF-8; bytes that are not shown as �)")


class InboxFilters(Schema):
    connection: Annotated[str, bounded(100)] = ""
    status: InboxStatus | None = None
    limit: int = Field(100, ge=1, le=1000)


class ReplayIn(Schema):
    ids: list[Id] | None = Field(
        None, max_length=1000, description="These requests; else all matching the filters"
    )
    connection: Annotated[str, bounded(100)] = ""
    status: InboxStatus | None = None


class ReplayOut(Schema):
    requests: int
    processed: int
    failed: int
    created: int
    revised: int
    unchanged: int
    skipped: int


class RejectedOut(Schema):
    id: int
    connection: str
    received_at: datetime
    reason: str
    body_bytes: int


def _inbox(r: InboxRequest, *, detail: bool = False) -> dict[str, Any]:
    row = {
        "id": r.pk, "connection": r.connection.name, "event_id": r.event_id,
        "received_at": r.received_at, "status": r.status, "error": r.error,
        "attempts": r.attempts, "created": r.created, "revised": r.revised,
        "unchanged": r.unchanged, "skipped": r.skipped,
    }  # fmt: skip
    if detail:
        row |= {"headers": r.headers, "body": r.body_text()}
    return row


def _rejected(r: RejectedRequest) -> dict[str, Any]:
    return {"id": r.pk, "connection": r.connection.name, "received_at": r.received_at,
            "reason": r.reason, "body_bytes": r.body_bytes}  # fmt: skip


def _refused(exc: ConnectorError) -> HttpError:
    return HttpError(404 if isinstance(exc, NoSuchConnection) else 422, str(exc))


@router.get("/connections", response=list[ConnectionOut], operation_id="list_connections")
def list_all(request: HttpRequest) -> list[dict[str, Any]]:
    """Every connection in use, with its inbox counts (never a secret or a whole token)."""
    return [v.as_dict() for v in list_connections()]


@router.post("/connections", response={201: AddedOut}, operation_id="add_connection")
def add(request: HttpRequest, payload: ConnectionIn) -> Status[dict[str, Any]]:
    """Add a connection; the answer's `url` (with its token) is shown only this once."""
    try:
        connection, url = add_connection(
            payload.kind, payload.name, secret=payload.secret, options=payload.options,
            actor=principal_of(request).user, now=timezone.now(),
        )  # fmt: skip
    except ConnectorError as exc:
        raise _refused(exc) from None
    return Status(201, get_connection(connection.name).as_dict() | {"url": url})


@router.get("/connections/{name}", response=ConnectionOut, operation_id="get_connection")
def show(request: HttpRequest, name: Name) -> dict[str, Any]:
    try:
        return get_connection(name).as_dict()
    except ConnectorError as exc:
        raise _refused(exc) from None


@router.delete("/connections/{name}", response=RemovedOut, operation_id="remove_connection")
def remove(request: HttpRequest, name: Name) -> dict[str, Any]:
    """Stop the connection's url answering; its inbox is kept."""
    try:
        changed = remove_connection(name, actor=principal_of(request).user, now=timezone.now())
    except ConnectorError as exc:
        raise _refused(exc) from None
    return {"removed": changed}


@router.post(
    "/connections/{name}/sync",
    response=STARTED,
    operation_id="sync_connection",
    openapi_extra=STARTED_HEADERS,
)
def start_a_sync(request: HttpRequest, response: HttpResponse, name: Name) -> Status[Job]:
    """Sync a CRM connection from its cursors: 202 with the job doing it; once done its
    `result` holds the run's `counts` per object and its `cursors`."""
    try:
        job = start_sync(
            name, actor=principal_of(request).user, now=timezone.now(),
            api_key=key_prefix(request),
        )  # fmt: skip
    except CrmError as exc:
        raise HttpError(404 if isinstance(exc, NoSuchCrm) else 422, str(exc)) from None
    return accepted(response, job)


class WriteBackOut(Schema):
    id: int
    connection: str
    kind: str = Field(description="activity, lead or advocate")
    key: str = Field(description="What it is about, once per connection")
    status: WriteBackStatus
    attempts: int
    next_attempt_at: datetime
    error: str = Field(description="The CRM's reason, when it refused")
    external_id: str = Field(description="The CRM's id of what it made")
    created_at: datetime
    sent_at: datetime | None


class WriteBackFilters(Schema):
    connection: Annotated[str, bounded(100)] = ""
    status: WriteBackStatus | None = None
    limit: int = Field(100, ge=1, le=1000)


@router.get("/write-backs", response=list[WriteBackOut], operation_id="list_write_backs")
def list_write_backs(
    request: HttpRequest, filters: Query[WriteBackFilters]
) -> list[dict[str, Any]]:
    """What was written back to the CRMs (or waits to be, or was given up), newest first."""
    found = write_backs(name=filters.connection or None, status=filters.status, limit=filters.limit)
    return [write_back_row(r) for r in found]


@router.get("/inbox", response=list[InboxOut], operation_id="list_inbox")
def list_inbox(request: HttpRequest, filters: Query[InboxFilters]) -> list[dict[str, Any]]:
    """The requests received, newest first."""
    try:
        found = inbox(name=filters.connection or None, status=filters.status, limit=filters.limit)
        return [_inbox(r) for r in found]
    except ConnectorError as exc:
        raise _refused(exc) from None


@router.get("/inbox/rejected", response=list[RejectedOut], operation_id="list_rejected")
def list_refused(
    request: HttpRequest, connection: Annotated[str, bounded(100)] = ""
) -> list[dict[str, Any]]:
    """The requests refused for their signature, newest first (the newest 1,000 are kept)."""
    try:
        return [_rejected(r) for r in rejected(name=connection or None)]
    except ConnectorError as exc:
        raise _refused(exc) from None


@router.get("/inbox/{int:inbox_id}", response=InboxDetailOut, operation_id="get_inbox_request")
def get_one(
    request: HttpRequest, inbox_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> dict[str, Any]:
    """One request as received: its headers and body, and what its mapping did."""
    row = get_object_or_404(InboxRequest.objects.select_related("connection"), pk=inbox_id)
    return _inbox(row, detail=True)


@router.post("/inbox/replay", response=ReplayOut, operation_id="replay_inbox")
def replay_some(request: HttpRequest, payload: ReplayIn) -> dict[str, int]:
    """Map stored requests to signals again: what is stored is unchanged, only what was
    missing is created."""
    try:
        outcome = replay(
            now=timezone.now(), ids=payload.ids, name=payload.connection or None,
            status=payload.status,
        )  # fmt: skip
    except ConnectorError as exc:
        raise _refused(exc) from None
    return outcome.as_dict()
