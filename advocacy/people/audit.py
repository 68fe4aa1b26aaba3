"""The audit log: one entry per change a person (or a key, or the shell) made.

Delivery layers record an entry once per successful write they carry out (the web UI's access
middleware, the API's audit decorator, the CLI's `--as`); services that change people, keys
or settings record their own entry with the before and after. Entries are append-only: nothing
in the product updates or deletes them, except a person's erasure, which blanks their
personal data in the entries that named them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from advocacy.people.models import AuditEntry, User, Via

SECRET_FIELDS = frozenset(
    {"password", "password1", "password2", "new_password1", "new_password2", "old_password",
     "csrfmiddlewaretoken", "secret", "token"}
)  # fmt: skip
MAX_VALUE = 500


def clean(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """What was submitted, without secrets, each value cut to a readable length."""
    out: dict[str, Any] = {}
    for name, value in (data or {}).items():
        if name in SECRET_FIELDS or name.startswith("_"):
            continue
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if isinstance(value, str) and len(value) > MAX_VALUE:
            value = value[:MAX_VALUE] + "…"
        out[_storable(name)] = _storable(value)
    return out


def _storable(value: Any) -> Any:
    """The value with each NUL character shown as U+FFFD: PostgreSQL's JSON refuses NUL, and a
    request may carry one anywhere (in a field the operation ignores, say)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, Mapping):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def record(
    *,
    actor: User | None,
    action: str,
    via: str,
    now: datetime,
    target: str = "",
    summary: str = "",
    detail: Mapping[str, Any] | None = None,
    ip: str | None = None,
    key_prefix: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        at=now,
        actor=actor,
        actor_name="" if actor is None else actor.get_username(),
        via=via,
        ip=ip or None,
        key_prefix=key_prefix,
        action=action,
        target=target[:200],
        summary=summary[:300],
        detail=dict(detail or {}),
    )


def entries(
    *,
    actor: str = "",
    action: str = "",
    via: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    text: str = "",
) -> QuerySet[AuditEntry]:
    """The log, newest first, narrowed by who, what, where from and when."""
    found = AuditEntry.objects.all()
    if actor:
        found = found.filter(actor_name=actor)
    if action:
        found = found.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    if via:
        found = found.filter(via=via)
    if since is not None:
        found = found.filter(at__gte=since)
    if until is not None:
        found = found.filter(at__lt=until)
    if text:
        found = found.filter(Q(target__icontains=text) | Q(summary__icontains=text))
    return found.order_by("-at", "-id")


COLUMNS = ("at", "actor", "via", "ip", "key", "action", "target", "summary", "detail")


def as_rows(found: Iterable[AuditEntry]) -> Iterator[list[str]]:
    yield list(COLUMNS)
    for entry in found:
        yield [
            entry.at.isoformat(),
            entry.actor_name,
            entry.via,
            entry.ip or "",
            entry.key_prefix,
            entry.action,
            entry.target,
            entry.summary,
            "" if not entry.detail else _json(entry.detail),
        ]


def csv_lines(found: QuerySet[AuditEntry]) -> Iterator[str]:
    """The log as CSV, streamed in chunks of the database cursor."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in as_rows(found.iterator(chunk_size=2000)):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


__all__ = ["Via", "as_rows", "clean", "csv_lines", "entries", "record"]
