"""The ask's life: the one place its status changes (`advance_ask`, `advance_asks`).

Every move is checked against `TRANSITIONS` and made with a conditional UPDATE (`WHERE status =
<the status the mover saw>`), so of two concurrent moves from the same state only one wins; the
other gets InvalidTransition. Each move writes an AskEvent (actor, time, note) in the same
transaction. Assigning an owner is recorded as an event too (from and to the same status).
A move to sent stamps `sent_at`; a move to the status at which the ask's type produces an
advocacy activity records it as a program signal, once (advocacy.pipeline.activities), in the
same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce

from advocacy.core.bulk import insert_rows
from advocacy.pipeline import team_notices
from advocacy.pipeline.activities import record_activities
from advocacy.pipeline.hooks import asks_entered
from advocacy.pipeline.models import OPEN_STATUSES, TRANSITIONS, Ask, AskEvent, AskStatus
from advocacy.pipeline.process_models import stage_of
from advocacy.pipeline.routing import route_asks


def allowed_moves(status: str) -> list[str]:
    """The states an ask in `status` may move to, in the order an ask lives through them."""
    allowed = TRANSITIONS.get(status, frozenset())
    return [s for s in AskStatus.values if s in allowed]


class InvalidTransition(Exception):
    """A move the transition table does not allow (or a state that moved on meanwhile)."""

    def __init__(
        self, ask_id: int | None, from_status: str, to_status: str, seen: str = ""
    ) -> None:
        self.ask_id, self.from_status, self.to_status = ask_id, from_status, to_status
        self.allowed = allowed_moves(from_status)
        moves = ", ".join(self.allowed) if self.allowed else f"none ({from_status} is final)"
        if to_status not in AskStatus.values:
            what = f"{to_status!r} is not a state of an ask ({', '.join(AskStatus.values)})"
        elif seen and seen != from_status:
            what = f"it moved from {seen} to {from_status} meanwhile; cannot move it to {to_status}"
        else:
            what = f"cannot move from {from_status} to {to_status}"
        super().__init__(f"ask {ask_id}: {what}; allowed from {from_status}: {moves}")


class AskPaused(InvalidTransition):
    """A paused ask may only be cancelled until it is resumed."""

    def __init__(self, ask_id: int | None, status: str, to_status: str, reason: str) -> None:
        Exception.__init__(
            self,
            f"ask {ask_id} is paused ({reason or 'no reason given'}): it keeps its status "
            f"{status} and may only be cancelled until it is resumed; cannot move it to "
            f"{to_status}",
        )
        self.ask_id, self.from_status, self.to_status = ask_id, status, to_status
        self.allowed = [AskStatus.CANCELLED] if status in OPEN_STATUSES else []


# Cancelling a paused ask is allowed (opt-out, reassignment); it clears the pause.
UNPAUSE = {"paused_at": None, "paused_reason": "", "paused_by": ""}


def _actor_id(actor: Any) -> Any:
    return getattr(actor, "pk", None)


def _stamps(to_status: str, now: datetime) -> dict[str, Any]:
    """Columns a move writes besides the status: `sent_at` on the first move to sent."""
    return {"sent_at": Coalesce("sent_at", Value(now))} if to_status == AskStatus.SENT else {}


@transaction.atomic
def advance_ask(
    ask: Ask,
    to_status: str,
    *,
    actor: Any,
    now: datetime,
    note: str = "",
    record_activity: bool = True,
) -> Ask:
    """Move `ask` from the status it holds to `to_status`, or raise InvalidTransition.

    `ask.status` is the state the caller saw: the UPDATE only applies if the row still holds
    it, so a stale copy cannot overwrite a concurrent move. `ask` is updated in place.
    A paused ask may only be cancelled (AskPaused otherwise), which clears the pause.
    `record_activity=False` is for a caller that records the activity itself, richer (the
    reference desk records a held call with its rating).
    """
    seen = ask.status
    if to_status not in TRANSITIONS.get(seen, frozenset()):
        raise InvalidTransition(ask.pk, seen, to_status)
    if ask.paused_at is not None and to_status != AskStatus.CANCELLED:
        raise AskPaused(ask.pk, seen, to_status, ask.paused_reason)
    rows = Ask.objects.filter(pk=ask.pk, status=seen)
    if to_status == AskStatus.CANCELLED:
        changed = rows.update(status=to_status, updated_at=now, **UNPAUSE)
    else:
        changed = rows.filter(paused_at__isnull=True).update(
            status=to_status, updated_at=now, **_stamps(to_status, now)
        )
    if changed != 1:
        current = Ask.objects.filter(pk=ask.pk).values("status", "paused_at", "paused_reason")
        row = current.first()
        if row is None:
            raise Ask.DoesNotExist(f"no ask with id {ask.pk}")
        if row["status"] == seen and row["paused_at"] is not None:
            raise AskPaused(ask.pk, seen, to_status, row["paused_reason"])
        raise InvalidTransition(ask.pk, row["status"], to_status, seen=seen)
    if to_status == AskStatus.CANCELLED:
        ask.paused_at, ask.paused_reason, ask.paused_by = None, "", ""
    if stage_of(seen) != stage_of(to_status):  # a handoff: the new stage's owner takes it
        routed = route_asks([ask.pk], now=now, actor=actor, handoff=True, record=False)
        note = "; ".join(filter(None, [note, routed.get(ask.pk, "")]))
        owner = Ask.objects.filter(pk=ask.pk).values_list("owner_id", "owner_role").get()
        ask.owner_id, ask.owner_role = owner
    AskEvent.objects.create(
        ask=ask, from_status=seen, to_status=to_status, actor_id=_actor_id(actor), note=note, at=now
    )
    if record_activity:
        record_activities([ask.pk], to_status, now=now)
    asks_entered([ask.pk], to_status, now=now, opened=False)
    if to_status == AskStatus.SENT and ask.sent_at is None:
        ask.sent_at = now
    ask.status, ask.updated_at = to_status, now
    return ask


@dataclass
class BulkMove:
    moved: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)  # id → the status it holds
    missing: list[int] = field(default_factory=list)


@transaction.atomic
def advance_asks(
    ids: Iterable[int], to_status: str, *, actor: Any, now: datetime, note: str = ""
) -> BulkMove:
    """Move every ask of `ids` that may go to `to_status`; one UPDATE, one insert of events.

    Asks whose state does not allow the move, and paused asks (unless cancelled), are left
    alone and reported in `refused`.
    """
    if to_status not in AskStatus.values:
        raise InvalidTransition(None, "", to_status)
    wanted = sorted(set(ids))
    froms = [s for s, targets in TRANSITIONS.items() if to_status in targets]
    rows = list(
        Ask.objects.select_for_update()
        .filter(pk__in=wanted)
        .order_by("pk")
        .values_list("pk", "status", "paused_at")
    )
    cancel = to_status == AskStatus.CANCELLED
    held = {pk: status for pk, status, _ in rows}
    paused = {pk for pk, _, paused_at in rows if paused_at is not None and not cancel}
    movable = {pk: s for pk, s in held.items() if s in froms and pk not in paused}
    result = BulkMove(
        moved=sorted(movable),
        refused={pk: status for pk, status in held.items() if pk not in movable},
        missing=[pk for pk in wanted if pk not in held],
    )
    if not movable:
        return result
    Ask.objects.filter(pk__in=movable, status__in=froms).update(
        status=to_status, updated_at=now, **(UNPAUSE if cancel else _stamps(to_status, now))
    )
    handed = [pk for pk, status in movable.items() if stage_of(status) != stage_of(to_status)]
    routed = route_asks(handed, now=now, actor=actor, handoff=True, record=False)
    actor_id = _actor_id(actor)
    # As tuples, without a model instance each (advocacy.core.bulk): the outbox moves a batch
    # of asks to sent at a time.
    insert_rows(
        AskEvent,
        ("ask_id", "from_status", "to_status", "actor_id", "note", "at"),
        [
            (
                pk,
                status,
                to_status,
                actor_id,
                "; ".join(filter(None, [note, routed.get(pk, "")])),
                now,
            )
            for pk, status in movable.items()
        ],
    )
    record_activities(movable, to_status, now=now)
    asks_entered(sorted(movable), to_status, now=now, opened=False)
    return result


@transaction.atomic
def assign_ask(ask: Ask, owner: Any, *, actor: Any, now: datetime, note: str = "") -> Ask:
    """Give `ask` to `owner` (a user, or None to leave it unowned), recorded as an event."""
    assign_asks([ask], owner, actor=actor, now=now, note=note)
    return ask


@transaction.atomic
def assign_asks(
    asks: Sequence[Ask], owner: Any, *, actor: Any, now: datetime, note: str = ""
) -> list[Ask]:
    """Give every ask of `asks` to `owner` (None: unowned), each recorded as an event.

    One UPDATE, one INSERT of the events and one notice for the lot, however many.
    """
    owner_id = _actor_id(owner)
    ids = [a.pk for a in asks]
    Ask.objects.filter(pk__in=ids).update(owner_id=owner_id, updated_at=now)
    who = owner.get_username() if owner is not None else "nobody"
    AskEvent.objects.bulk_create(
        AskEvent(
            ask=ask,
            from_status=ask.status,
            to_status=ask.status,
            actor_id=_actor_id(actor),
            note=f"assigned to {who}" + (f": {note}" if note else ""),
            at=now,
        )
        for ask in asks
    )
    for ask in asks:
        ask.owner_id, ask.updated_at = owner_id, now
    if ids:
        team_notices.assigned(ids, now=now, actor=actor, note=note)
    return list(asks)
