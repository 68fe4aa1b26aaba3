"""Pausing: an open ask put on hold with a reason, keeping its status, and resumed later.

A paused ask cannot move on (`advance_ask` refuses every move but a cancel, see AskPaused).
Every pause and resume is an AskEvent whose status does not change (`paused: <reason>`,
`resumed: <note>`). Set-based: `pause_asks` and `resume_asks` change every ask a queryset
selects with one `UPDATE … RETURNING` and record the events in one insert, so a guard pausing
a thousand asks costs what pausing one does. The UPDATE re-checks the pause on each row, so two
concurrent runs never pause (or resume) the same ask twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from advocacy.pipeline.models import OPEN_STATUSES, Ask, AskEvent

PAUSED_PREFIX = "paused: "
RESUMED_PREFIX = "resumed: "
MAX_REASON = 300


class PauseRefused(Exception):
    """An ask that cannot be paused or resumed as asked (closed, already paused, not paused)."""


@dataclass(frozen=True)
class Changed:
    """An ask a pause or resume changed: its id, the status it keeps, and its contact."""

    id: int
    status: str
    contact_id: int


def _returning(sql: str, params: list[Any]) -> list[Changed]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Changed(int(r[0]), str(r[1]), int(r[2])) for r in cursor.fetchall()]


def _events(changed: list[Changed], note: str, *, actor: Any, now: datetime) -> None:
    actor_id = getattr(actor, "pk", None)
    AskEvent.objects.bulk_create(
        [
            AskEvent(
                ask_id=c.id,
                from_status=c.status,
                to_status=c.status,
                actor_id=actor_id,
                note=note,
                at=now,
            )
            for c in changed
        ]
    )


def _statement(asks: QuerySet[Ask], assignments: str, condition: str) -> tuple[str, list[Any]]:
    q = connection.ops.quote_name
    sub, sub_params = asks.order_by().values("pk").query.sql_with_params()
    statuses = sorted(OPEN_STATUSES)
    marks = ", ".join(["%s"] * len(statuses))
    sql = (
        f"UPDATE {q(Ask._meta.db_table)} SET {assignments} "
        f"WHERE {q('id')} IN ({sub}) AND {condition} AND {q('status')} IN ({marks}) "
        f"RETURNING {q('id')}, {q('status')}, {q('contact_id')}"
    )
    return sql, [*sub_params, *statuses]


@transaction.atomic
def pause_asks(
    asks: QuerySet[Ask], reason: str, *, by: str = "", actor: Any = None, now: datetime
) -> list[Changed]:
    """Pause every open, unpaused ask of `asks` with `reason`; one UPDATE, one insert of events.

    `by` names the guard that pauses (empty: by hand); guards only resume what they paused.
    """
    reason = reason.strip()[:MAX_REASON]
    q = connection.ops.quote_name
    moment = connection.ops.adapt_datetimefield_value(now)
    assignments = (
        f"{q('paused_at')} = %s, {q('paused_reason')} = %s, {q('paused_by')} = %s, "
        f"{q('updated_at')} = %s"
    )
    sql, params = _statement(asks, assignments, f"{q('paused_at')} IS NULL")
    changed = _returning(sql, [moment, reason, by, moment, *params])
    _events(changed, f"{PAUSED_PREFIX}{reason}", actor=actor, now=now)
    return changed


@transaction.atomic
def resume_asks(
    asks: QuerySet[Ask], note: str, *, actor: Any = None, now: datetime
) -> list[Changed]:
    """Resume every paused open ask of `asks`; one UPDATE, one insert of events."""
    q = connection.ops.quote_name
    moment = connection.ops.adapt_datetimefield_value(now)
    assignments = (
        f"{q('paused_at')} = NULL, {q('paused_reason')} = '', {q('paused_by')} = '', "
        f"{q('updated_at')} = %s"
    )
    sql, params = _statement(asks, assignments, f"{q('paused_at')} IS NOT NULL")
    changed = _returning(sql, [moment, *params])
    _events(changed, f"{RESUMED_PREFIX}{note.strip()}", actor=actor, now=now)
    return changed


def _refresh(ask: Ask) -> None:
    row = Ask.objects.filter(pk=ask.pk).values("paused_at", "paused_reason", "paused_by").get()
    ask.paused_at, ask.paused_reason, ask.paused_by = (
        row["paused_at"],
        row["paused_reason"],
        row["paused_by"],
    )


@transaction.atomic
def pause_ask(ask: Ask, reason: str, *, actor: Any, now: datetime) -> Ask:
    """Put one open ask on hold by hand, with a reason; PauseRefused says why not."""
    if not reason.strip():
        raise PauseRefused(f"ask {ask.pk}: give a reason to pause it")
    if not pause_asks(Ask.objects.filter(pk=ask.pk), reason, actor=actor, now=now):
        current = Ask.objects.filter(pk=ask.pk).values("status", "paused_reason").first()
        if current is None:
            raise Ask.DoesNotExist(f"no ask with id {ask.pk}")
        if current["status"] not in OPEN_STATUSES:
            raise PauseRefused(f"ask {ask.pk} is {current['status']}: only open asks pause")
        raise PauseRefused(f"ask {ask.pk} is already paused ({current['paused_reason']})")
    _refresh(ask)
    return ask


@transaction.atomic
def resume_ask(ask: Ask, *, actor: Any, now: datetime, note: str = "") -> Ask:
    """Take one paused ask off hold (whoever paused it); PauseRefused when it is not paused.

    A guard whose condition still holds pauses it again at its next run.
    """
    if not resume_asks(Ask.objects.filter(pk=ask.pk), note or "by hand", actor=actor, now=now):
        current = Ask.objects.filter(pk=ask.pk).values("status").first()
        if current is None:
            raise Ask.DoesNotExist(f"no ask with id {ask.pk}")
        raise PauseRefused(f"ask {ask.pk} is not paused (it is {current['status']})")
    _refresh(ask)
    return ask
