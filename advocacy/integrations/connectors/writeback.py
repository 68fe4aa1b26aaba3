"""Writing back to the CRM: what the program did, where sales looks for it.

    queue_write_backs(now) -> dict[str, int]     what is new, as WriteBack rows (set-based)
    send_write_backs(now, sleep=...) -> dict[str, int]   the due rows, sent and recorded
    write_backs(name=None, status=None, limit=100) -> QuerySet[WriteBack]   newest first

Three kinds, each on by `--option write_back=activity,lead,advocate` (the default: all three;
empty: none):

- `activity`: a reference call held for a request whose opportunity (`opportunity_ref`) is a
  deal synced from this CRM is logged on that opportunity (HubSpot: a note on the deal;
  Salesforce: a completed Task whose WhatId is the opportunity). Once per (call, request).
- `lead`: a referral submitted since the connection was added becomes a lead (HubSpot: a
  contact with lifecycle stage `lead`; Salesforce: a Lead). Once per referral.
- `advocate`: a contact in the pool of reference-ready advocates that has an identity in this
  CRM gets the advocate flag (`advocate_property` / `advocate_field`). Once per contact.

The rows are queued by the `crm-write-back` job, which reads the facts from the layers below
(they never call up), unique per (connection, key), so queuing again adds nothing. Each row is
sent by the worker, never in a request: taken, it is `sent` with the CRM's id of what it made;
refused or unreachable, it is tried again after 1, 2, 4 ... minutes (at most 6 hours apart),
and given up (`failed`, with the reason) after MAX_ATTEMPTS.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from advocacy.customers.models import ContactIdentity, Deal
from advocacy.integrations.connectors.crm import CrmConnector, CrmError, Session, crm_kinds
from advocacy.integrations.connectors.models import (
    Connection,
    WriteBack,
    WriteBackKind,
    WriteBackStatus,
)
from advocacy.integrations.connectors.registry import KINDS
from advocacy.references.models import CallOutcome, ReferenceAdvocate, ReferenceCall
from advocacy.referrals.models import Referral

MAX_ATTEMPTS = 8
FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(hours=6)
SEND_BATCH = 200
ERROR_LENGTH = 2000
ALL = ",".join(WriteBackKind.values)


def wanted(connection: Connection) -> set[str]:
    """The kinds of write-back this connection takes (`--option write_back=`)."""
    given = str(connection.options.get("write_back", ALL))
    return {k.strip() for k in given.split(",") if k.strip()} & set(WriteBackKind.values)


def _activities(connection: Connection, now: datetime) -> list[WriteBack]:
    deals = Deal.objects.filter(source=connection.source).values("external_id")
    rows = (
        ReferenceCall.requests.through.objects.filter(
            referencecall__outcome=CallOutcome.HELD,
            referencecall__starts_at__gte=connection.created_at,
            referencerequest__opportunity_ref__in=deals,
        )
        .values_list(
            "referencecall_id",
            "referencerequest_id",
            "referencerequest__opportunity_ref",
            "referencerequest__opportunity",
            "referencecall__starts_at",
            "referencecall__contact__first_name",
            "referencecall__contact__last_name",
            "referencecall__contact__account__name",
            "referencecall__rating",
        )
        .order_by("referencecall_id", "referencerequest_id")
    )
    out = []
    for call, request, ref, opportunity, at, first, last, account, rating in rows:
        who = f"{first} {last}".strip() or "an advocate"
        text = f"Reference call with {who} ({account}) for {opportunity}."
        if rating:
            text += f" Rated {rating}/5 by the team."
        out.append(
            WriteBack(
                connection=connection, kind=WriteBackKind.ACTIVITY,
                key=f"activity:call:{call}:request:{request}",
                payload={"opportunity": ref, "at": at.isoformat(), "subject": "Reference call",
                         "text": text},
                next_attempt_at=now, created_at=now,
            )
        )  # fmt: skip
    return out


def _leads(connection: Connection, now: datetime) -> list[WriteBack]:
    rows = Referral.objects.filter(submitted_at__gte=connection.created_at).values_list(
        "pk", "prospect_name", "prospect_email", "prospect_company", "prospect_title"
    )
    out = []
    for pk, name, email, company, title in rows.order_by("pk"):
        first, _, last = name.strip().partition(" ")
        out.append(
            WriteBack(
                connection=connection, kind=WriteBackKind.LEAD, key=f"lead:referral:{pk}",
                payload={"email": email, "first_name": first, "last_name": last.strip(),
                         "company": company, "title": title},
                next_attempt_at=now, created_at=now,
            )
        )  # fmt: skip
    return out


def _advocates(connection: Connection, now: datetime) -> list[WriteBack]:
    rows = ContactIdentity.objects.filter(
        source=connection.source,
        contact_id__in=ReferenceAdvocate.objects.values("contact_id"),
    ).values_list("contact_id", "external_id")
    return [
        WriteBack(
            connection=connection,
            kind=WriteBackKind.ADVOCATE,
            key=f"advocate:{contact}",
            payload={"contact": external, "advocate": True},
            next_attempt_at=now,
            created_at=now,
        )
        for contact, external in rows.order_by("contact_id")
    ]


FACTS: dict[str, Callable[[Connection, datetime], list[WriteBack]]] = {
    WriteBackKind.ACTIVITY: _activities,
    WriteBackKind.LEAD: _leads,
    WriteBackKind.ADVOCATE: _advocates,
}


def queue_write_backs(*, now: datetime) -> dict[str, int]:
    """Queue what is new for every CRM connection in use: a few queries per connection."""
    queued: dict[str, int] = {}
    for connection in Connection.objects.filter(kind__in=crm_kinds(), removed_at__isnull=True):
        rows = [row for kind in sorted(wanted(connection)) for row in FACTS[kind](connection, now)]
        before = WriteBack.objects.filter(connection=connection).count()
        WriteBack.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        queued[connection.name] = WriteBack.objects.filter(connection=connection).count() - before
    return queued


def delay(attempts: int) -> timedelta:
    return min(LONGEST_DELAY, FIRST_DELAY * 2 ** max(0, attempts - 1))


def send_write_backs(
    *, now: datetime, sleep: Callable[[float], None] = time.sleep
) -> dict[str, int]:
    """Send the due rows, a batch per connection; record how each went in one bulk update."""
    out = {"sent": 0, "retry": 0, "failed": 0}
    due = Q(status=WriteBackStatus.PENDING, next_attempt_at__lte=now)
    for connection in Connection.objects.filter(
        kind__in=crm_kinds(), removed_at__isnull=True, write_backs__in=WriteBack.objects.filter(due)
    ).distinct():
        connector = KINDS[connection.kind]
        assert isinstance(connector, CrmConnector)
        with transaction.atomic():
            rows = list(
                WriteBack.objects.filter(due, connection=connection)
                .select_for_update(skip_locked=True)
                .order_by("next_attempt_at", "pk")[:SEND_BATCH]
            )
            # Taken: pushed out, so a second worker finds them not due while these are sent.
            WriteBack.objects.filter(pk__in=[r.pk for r in rows]).update(
                next_attempt_at=now + LONGEST_DELAY
            )
        session = Session(connection, connector, sleep=sleep)
        for row in rows:
            _send(session, connector, row, now=now, out=out)
        WriteBack.objects.bulk_update(
            rows, ["status", "attempts", "next_attempt_at", "error", "external_id", "sent_at"]
        )
    return out


def _send(
    session: Session, connector: CrmConnector, row: WriteBack, *, now: datetime, out: dict[str, int]
) -> None:
    row.attempts += 1
    try:
        row.external_id = connector.push(session, row)[:255]
    except (CrmError, KeyError) as exc:
        row.error = str(exc)[:ERROR_LENGTH]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = WriteBackStatus.FAILED
            out["failed"] += 1
        else:
            row.next_attempt_at = now + delay(row.attempts)
            out["retry"] += 1
        return
    row.status, row.sent_at, row.error = WriteBackStatus.SENT, now, ""
    out["sent"] += 1


def write_backs(
    *, name: str | None = None, status: str | None = None, limit: int = 100
) -> QuerySet[WriteBack]:
    """The write-backs, newest first, of one connection (by name) or all, by status."""
    found = WriteBack.objects.select_related("connection")
    if name:
        found = found.filter(connection__name=name.strip())
    if status:
        if status not in WriteBackStatus.values:
            raise ValueError(f"status is one of {', '.join(WriteBackStatus.values)}")
        found = found.filter(status=status)
    return found.order_by("-created_at", "-id")[:limit]


def write_back_row(row: WriteBack) -> dict[str, Any]:
    return {
        "id": row.pk,
        "connection": row.connection.name,
        "kind": row.kind,
        "key": row.key,
        "status": row.status,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at.isoformat(),
        "error": row.error,
        "external_id": row.external_id,
        "created_at": row.created_at.isoformat(),
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
    }
