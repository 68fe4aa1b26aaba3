"""The way in: one request to a connection's url, stored raw before anything else.

    receive(token, request, now=...) -> Answer

1. The url's token names the connection (its hash is the unique key: one indexed read). An
   unknown or removed token gets 404 and nothing is kept.
2. A signing vendor's signature is checked on the raw bytes (`Connector.verify`). A bad one
   gets 401 and the request goes to the rejected log only (pruned to the newest REJECTED_KEEP).
3. The vendor's event id is read (`Connector.event_id`); a body that is not JSON, or has no id,
   is still kept, under the digest of its bytes, with its error.
4. One INSERT into the inbox, unique per (connection, event id): a vendor's retry of a stored
   event is answered 200 and changes nothing. The drain task, which maps every pending request,
   is queued unless one is queued already (`InboxDrain`): in the same transaction with the
   database queue, after commit with a backend that runs tasks inline.

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

from django.db import connection as db
from django.db import transaction

from advocacy.core.scheduler import enqueues_in_database
from advocacy.integrations.connectors import registry, vault
from advocacy.integrations.connectors.models import (
    BODY_KEPT_REJECTED,
    REJECTED_KEEP,
    Connection,
    InboxDrain,
    InboxRequest,
    InboxStatus,
    RejectedRequest,
)
from advocacy.integrations.connectors.registry import Malformed, Received, Refused
from advocacy.integrations.connectors.tasks import drain_inbox

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


def _sql(template: str) -> str:
    quote = db.ops.quote_name
    return template.format(
        connection=quote(Connection._meta.db_table),
        inbox=quote(InboxRequest._meta.db_table),
        drain=quote(InboxDrain._meta.db_table),
        json="CAST(%s AS jsonb)" if db.vendor == "postgresql" else "%s",
    )


# The hot path's two statements, written once with bound parameters: through the ORM, building
# them cost more than running them (docs/benchmarks.md, webhook_ingest).
FIND = (
    "SELECT id, kind, secret_encrypted, source FROM {connection} "
    "WHERE token_hash = %s AND removed_at IS NULL"
)
INSERT = (
    "INSERT INTO {inbox} (connection_id, event_id, received_at, method, headers, body, status, "
    "error, processed_at, attempts, created, revised, unchanged, skipped) "
    "VALUES (%s, %s, %s, %s, {json}, %s, %s, %s, %s, 0, 0, 0, 0, 0) "
    "ON CONFLICT (connection_id, event_id) DO NOTHING RETURNING id"
)
# Set the drain's flag; a row comes back only if it was not set (then this request queues it).
FLAG = (
    "INSERT INTO {drain} (id, queued) VALUES (1, %s) ON CONFLICT (id) "
    "DO UPDATE SET queued = %s WHERE {drain}.queued = %s RETURNING id"
)


def find(token: str) -> Connection | None:
    if not token or len(token) > 100:
        return None
    with db.cursor() as cursor:
        cursor.execute(_sql(FIND), [token_hash(token)])
        row = cursor.fetchone()
    if row is None:
        return None
    return Connection(id=row[0], kind=row[1], secret_encrypted=row[2], source=row[3])


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


def store(
    found: Connection, request: Received, *, now: datetime, queue_in: bool = False
) -> int | None:
    """The new inbox row's id, or None when the event is already stored (a retry). With
    `queue_in` the mapping task's row is written in the same transaction (one commit)."""
    event, error = identify(found, request)
    ops = db.ops
    params: list[Any] = [
        found.pk,
        event,
        ops.adapt_datetimefield_value(now),
        request.method,
        json.dumps(kept_headers(dict(request.headers))),
        request.body,
        InboxStatus.FAILED if error else InboxStatus.PENDING,
        error,
        ops.adapt_datetimefield_value(now) if error else None,
    ]
    with transaction.atomic(), db.cursor() as cursor:
        cursor.execute(_sql(INSERT), params)
        row = cursor.fetchone()
        if row is None:
            return None
        if queue_in and not error:
            ask_for_drain(cursor)
    return int(row[0]) if not error else -int(row[0])


def receive(token: str, request: Received, *, now: datetime, process: bool = True) -> Answer:
    found = find(token)
    if found is None:
        return Answer(404, {"error": "no connection at this address"})
    try:
        check(found, request, now=now)
    except Refused as exc:
        reject(found, request, str(exc), now=now)
        return Answer(401, {"error": str(exc)})
    # The database queue takes the task in the inbox row's own transaction; a backend that runs
    # tasks inline is called after the commit, so the mapping never holds the request's.
    in_database = process and enqueues_in_database()
    stored = store(found, request, now=now, queue_in=in_database)
    if stored is None:
        return Answer(200, {"status": "duplicate"})
    pk = abs(stored)  # negative: kept with its error, nothing to map
    if process and not in_database and stored > 0:
        transaction.on_commit(queue)
    return Answer(202, {"status": "received", "id": pk}, pk)


def ask_for_drain(cursor: Any) -> None:
    """Queue the drain task unless one is queued already (its flag, set in this transaction)."""
    cursor.execute(_sql(FLAG), [True, True, False])
    if cursor.fetchone() is not None:
        drain_inbox.enqueue()


def queue() -> None:
    """After commit, for a task backend that runs tasks inline (the mapping runs now)."""
    with transaction.atomic(), db.cursor() as cursor:
        ask_for_drain(cursor)
