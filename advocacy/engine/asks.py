"""The one way asks come into being: `open_asks`, for plays and manual asks alike.

It claims tap caps (advocacy.engine.caps) and creates the asks and their first events in one
transaction, so a crash leaves neither an ask without its claim nor a claim without its ask.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from django.db import connection, transaction

from advocacy.core.bulk import insert_returning, insert_rows
from advocacy.engine.caps import claim_taps
from advocacy.engine.models import CapOverride
from advocacy.engine.policy import DEFAULT_POLICY, Policy
from advocacy.pipeline.hooks import asks_entered
from advocacy.pipeline.models import Ask, AskEvent, AskStatus, AskType
from advocacy.pipeline.process import asks_opened
from advocacy.pipeline.routing import Opening, route_openings


@dataclass(frozen=True)
class AskRequest:
    contact_id: int
    ask_type: AskType
    moment: str
    play: str = ""
    trigger_signal_id: int | None = None
    status: str = AskStatus.PROPOSED
    owner_id: int | None = None
    owner_role: str = ""
    channel: str = ""
    # The play's channel sequence, (channel, after_hours) pairs; see Ask.sequence.
    sequence: tuple[tuple[str, int], ...] = ()
    due_at: datetime | None = None  # the deadline for the advocate's answer (the play's SLA)
    follow_up_at: datetime | None = None
    send_by: datetime | None = None  # when the ask must go out (the play's timing)
    note: str = ""  # said on the opening event, after who opened it
    # The moment of the ask this one continues (a declined ask's fallback): no new tap.
    continues: datetime | None = None


@dataclass
class OpenResult:
    opened_at: datetime
    capped: list[AskRequest] = field(default_factory=list)
    duplicate: list[AskRequest] = field(default_factory=list)
    # Each request that was opened, with its new ask's id, in the order requested.
    granted: list[tuple[AskRequest, int]] = field(default_factory=list)

    @cached_property
    def opened(self) -> list[Ask]:
        """The new asks as instances, as opened (before routing): built on first use, since a
        play's run opens thousands and needs only their ids."""
        asks = []
        for r, pk in self.granted:
            ask = Ask(
                id=pk,
                contact_id=r.contact_id,
                ask_type=r.ask_type,
                play=r.play,
                trigger_signal_id=r.trigger_signal_id,
                moment=r.moment,
                status=r.status,
                owner_id=r.owner_id,
                owner_role=r.owner_role,
                channel=r.channel,
                sequence=sequence_of(r.sequence),
                opened_at=self.opened_at,
                due_at=r.due_at,
                follow_up_at=r.follow_up_at,
                send_by=r.send_by,
                updated_at=self.opened_at,
            )
            ask._state.adding = False
            asks.append(ask)
        return asks


class CapExceeded(Exception):
    """A manual ask was refused by a tap cap; it says when the contact may next be asked, and
    `code` which cap (a reason code of advocacy.engine.rules.REASONS)."""

    def __init__(self, message: str, code: str = "cap_ask_type") -> None:
        super().__init__(message)
        self.code = code


@transaction.atomic
def open_asks(
    requests: Sequence[AskRequest],
    *,
    now: datetime,
    actor: Any = None,
    policy: Policy = DEFAULT_POLICY,
    override_reason: str = "",
) -> OpenResult:
    """Open every request the caps allow, skipping ones that already exist; one query per step.

    With `override_reason` (and an actor), caps are ignored and each ask gets a CapOverride row.
    """
    result = OpenResult(opened_at=now)
    if not requests:
        return result
    if override_reason and actor is None:
        raise ValueError("an override needs an actor")
    existing = _existing({r.contact_id for r in requests}, {r.moment for r in requests})
    fresh: list[AskRequest] = []
    seen: set[tuple[str, int, str]] = set()
    for r in requests:
        key = (r.play, r.contact_id, r.moment)
        if key in existing or key in seen:
            result.duplicate.append(r)
        else:
            seen.add(key)
            fresh.append(r)
    by_type: dict[str, list[AskRequest]] = defaultdict(list)
    for r in fresh:
        by_type[r.ask_type.code].append(r)
    allowed: list[AskRequest] = []
    # One type after another in one transaction: a claim sees the windows the previous moved.
    for group in by_type.values():
        # One ask per contact and type per call: the first request wins the slot.
        first: dict[int, AskRequest] = {}
        for r in group:
            if r.contact_id in first:
                result.capped.append(r)
            else:
                first[r.contact_id] = r
        granted = claim_taps(
            first,
            group[0].ask_type,
            now=now,
            policy=policy,
            override=bool(override_reason),
            continuing={c: r.continues for c, r in first.items() if r.continues is not None},
        )
        for contact_id, r in first.items():
            (allowed if contact_id in granted else result.capped).append(r)
    # Routed before they are written when no rule applies (else after, by `asks_opened`).
    routes = route_openings(
        [Opening(r.contact_id, r.status, r.owner_id, r.owner_role) for r in allowed]
    )
    notes = [""] * len(allowed)
    if routes is not None:
        allowed = [
            r
            if (r.owner_id, r.owner_role) == (route.owner_id, route.role)
            else replace(r, owner_id=route.owner_id, owner_role=route.role)
            for r, (route, _) in zip(allowed, routes, strict=True)
        ]
        notes = [note for _, note in routes]
    result.granted = _insert_asks(allowed, now)
    actor_id: Any = getattr(actor, "pk", None)
    events = [
        (
            pk,
            "",
            r.status,
            actor_id,
            now,
            "; ".join(
                filter(None, [f"opened by play {r.play}" if r.play else "opened by hand", r.note])
            ),
        )
        for r, pk in result.granted
    ]
    # Then each routing event, as `route_asks` would have added it after the openings.
    events += [
        (pk, r.status, r.status, actor_id, now, note)
        for (r, pk), note in zip(result.granted, notes, strict=True)
        if note
    ]
    insert_rows(AskEvent, ("ask_id", "from_status", "to_status", "actor_id", "at", "note"), events)
    if override_reason:
        CapOverride.objects.bulk_create(
            [
                CapOverride(ask_id=pk, actor_id=actor_id, reason=override_reason, at=now)
                for _, pk in result.granted
            ]
        )
    routed = routes is not None
    asks_opened([pk for _, pk in result.granted], now=now, actor=actor, routed=routed)
    by_status: dict[str, list[int]] = defaultdict(list)
    for r, pk in result.granted:
        by_status[r.status].append(pk)
    for status, ids in by_status.items():
        asks_entered(ids, status, now=now, opened=True)  # the outbox writes its rows here
    return result


CHUNK = 5_000  # contacts per statement, under either database's limit on parameters


def _existing(contact_ids: set[int], moments: set[str]) -> set[tuple[str, int, str]]:
    """(play, contact, moment) of the asks of these contacts at these moments.

    Plain SQL: the ORM would prepare each of thousands of ids and moments one by one.
    """
    table = connection.ops.quote_name(Ask._meta.db_table)
    ids, wanted = sorted(contact_ids), sorted(moments)
    found: set[tuple[str, int, str]] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            for at in range(0, len(wanted), CHUNK):
                some = wanted[at : at + CHUNK]
                cursor.execute(
                    f"SELECT play, contact_id, moment FROM {table} "
                    f"WHERE contact_id IN ({', '.join(['%s'] * len(chunk))}) "
                    f"AND moment IN ({', '.join(['%s'] * len(some))})",
                    [*chunk, *some],
                )
                found.update((play, contact, moment) for play, contact, moment in cursor.fetchall())
    return found


_ASK_COLUMNS = (
    "contact_id",
    "ask_type_id",
    "play",
    "trigger_signal_id",
    "moment",
    "status",
    "owner_id",
    "owner_role",
    "channel",
    "sequence",
    "opened_at",
    "due_at",
    "follow_up_at",
    "send_by",
    "updated_at",
)


def sequence_of(pairs: tuple[tuple[str, int], ...]) -> list[dict[str, Any]]:
    """The sequence as the ask stores it: [{"channel": ..., "after_hours": ...}, ...]."""
    return [{"channel": channel, "after_hours": hours} for channel, hours in pairs]


def _insert_asks(requests: Sequence[AskRequest], now: datetime) -> list[tuple[AskRequest, int]]:
    """Insert the asks as plain rows (no instance per row through bulk_create); returns each
    request with its new ask's id.

    A duplicate (play, contact, moment) raises IntegrityError and the caller's transaction,
    tap claims included, rolls back: an ask is never half opened.
    """
    # One list per distinct sequence (a run has one), so it is turned into JSON once.
    sequences: dict[tuple[tuple[str, int], ...], list[dict[str, Any]]] = {}
    returned = insert_returning(
        Ask,
        _ASK_COLUMNS,
        [
            (
                r.contact_id,
                r.ask_type.pk,
                r.play,
                r.trigger_signal_id,
                r.moment,
                r.status,
                r.owner_id,
                r.owner_role,
                r.channel,
                sequences.setdefault(r.sequence, sequence_of(r.sequence)),
                now,
                r.due_at,
                r.follow_up_at,
                r.send_by,
                now,
            )
            for r in requests
        ],
        returning=("id", "play", "contact_id", "moment"),
    )
    ids = {(play, contact_id, moment): pk for pk, play, contact_id, moment in returned}
    return [(r, ids[(r.play, r.contact_id, r.moment)]) for r in requests]
