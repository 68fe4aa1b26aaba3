"""The way in: one request to a connection's url, stored raw before anything else.

    receive(token, request, now=...) -> Answer

1. The url's token names the connection (its hash is the unique key: one indexed read). An
   unknown or removed token gets 404 and nothing is kept.
2. A signing vendor's signature is checked on the raw bytes (`Connector.verify`). A bad one
   gets 401 and the request goes to the rejected log only (pruned to the newest REJECTED_KEEP).
3. The vendor's event id is read (`Connector.event_id`); a body that is not JSON, or has no id,
   is still kept, under the digest of its bytes, with its error.
4. One INSERT into the inbox, unique per (connection, event id): a vendor's retry of a stored
   event is answered 200 and changes nothing. After commit, the mapping task is queued.

Vendors retry anything but a 2xx, so the answer is 2xx as soon as the request is safely stored:
the mapping, which may fail for reasons the team must fix (a contact not imported yet), never
decides the answer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from advocacy.integrations.connectors import registry, vault
from advocacy.integrations.connectors.models import (
    BODY_KEPT_REJECTED,
    REJECTED_KEEP,
    Connection,
    InboxRequest,
    InboxStatus,
    RejectedRequest,
)
from advocacy.integrations.connectors.registry import Malformed, Received, Refused
from advocacy.integrations.connectors.tasks import process_inbox

# Headers never kept: the hop's own, and anything that authenticates (the token is in the url).
DROPPED_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization", "x-api-key"})


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    inbox_id: int | None = None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def kept_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k not in DROPPED_HEADERS}


def find(token: str) -> Connection | None:
    if not token or len(token) > 100:
        return None
    return (
        Connection.objects.filter(token_hash=token_hash(token), removed_at__isnull=True)
        .only("id", "kind", "secret_encrypted", "source", "options")
        .first()
    )


def check(connection: Connection, request: Received, *, now: datetime) -> None:
    """Raise Refused unless the request passes its connector's signature check."""
    connector = registry.get(connection.kind)
    if not connector.signs:
        return
    try:
        secret = vault.unseal(connection.secret_encrypted)
    except vault.SecretUnreadable as exc:
        raise Refused(str(exc)) from exc
    if not secret:
        raise Refused("the connection has no signing secret")
    connector.verify(request, secret, now=now)


def reject(connection: Connection, request: Received, reason: str, *, now: datetime) -> None:
    with transaction.atomic():
        row = RejectedRequest.objects.create(
            connection=connection,
            received_at=now,
            reason=reason[:300],
            headers=kept_headers(dict(request.headers)),
            body=request.body[:BODY_KEPT_REJECTED],
            body_bytes=len(request.body),
        )
        RejectedRequest.objects.filter(
            connection=connection, pk__lte=row.pk - REJECTED_KEEP
        ).delete()


def identify(connection: Connection, request: Received) -> tuple[str, str]:
    """(event id, error): the vendor's id, or the body's digest and why there is no id."""
    try:
        data = json.loads(request.body)
    except ValueError:
        return registry.body_digest(request.body), "the body is not JSON"
    try:
        event = registry.get(connection.kind).event_id(request, data)
    except Malformed as exc:
        return registry.body_digest(request.body), str(exc)
    if not event:
        return registry.body_digest(request.body), "the event has no id"
    return event[:255], ""


def store(connection: Connection, request: Received, *, now: datetime) -> InboxRequest | None:
    """The new inbox row, or None when the event is already stored (a retry)."""
    event, error = identify(connection, request)
    row = InboxRequest(
        connection=connection,
        event_id=event,
        received_at=now,
        method=request.method,
        headers=kept_headers(dict(request.headers)),
        body=request.body,
        status=InboxStatus.FAILED if error else InboxStatus.PENDING,
        error=error,
        processed_at=now if error else None,
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return None
    return row


def receive(token: str, request: Received, *, now: datetime, process: bool = True) -> Answer:
    connection = find(token)
    if connection is None:
        return Answer(404, {"error": "no connection at this address"})
    try:
        check(connection, request, now=now)
    except Refused as exc:
        reject(connection, request, str(exc), now=now)
        return Answer(401, {"error": str(exc)})
    row = store(connection, request, now=now)
    if row is None:
        return Answer(200, {"status": "duplicate"})
    if process and row.status == InboxStatus.PENDING:
        transaction.on_commit(lambda: queue(row.pk))
    return Answer(202, {"status": "received", "id": row.pk}, row.pk)


def queue(inbox_id: int) -> None:
    process_inbox.enqueue([inbox_id])
