"""Schemas of asks: the list, one ask with its history, and a manual ask."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Field, Schema

from advocacy.api.routers.play_schemas import PlayName
from advocacy.api.schemas import MAX_ID, AsOfIn, Id, bounded
from advocacy.pipeline.models import AskStatus


class AskOut(Schema):
    id: int
    contact_id: int
    email: str
    ask_type: str = Field(description="The ask type code")
    effort: str
    play: str = Field(description="The play that opened it; empty for a manual ask")
    trigger_signal_id: int | None
    moment: str = Field(description="The triggering moment (`signal:<id>`, `manual:<when>`)")
    status: AskStatus
    owner_id: int | None
    owner_role: str
    channel: str
    opened_at: datetime
    send_by: datetime | None = Field(
        description="When the ask must be sent by (the play's timing, e.g. 48 hours after the "
        "signal)"
    )
    sent_at: datetime | None = Field(description="When it first moved to sent")
    missed_send_window: bool = Field(
        description="Not sent by its send-by moment (still unsent past it, or sent late)"
    )
    due_at: datetime | None = Field(description="When the advocate's answer is due (the SLA)")
    follow_up_at: datetime | None
    updated_at: datetime
    paused_at: datetime | None = Field(description="Set while the ask is on hold")
    paused_reason: str = Field(description="Why it is paused; empty when it is not")
    paused_by: str = Field(description="The guard that paused it; empty: by hand")

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return str(obj.contact.email)

    @staticmethod
    def resolve_ask_type(obj: Any) -> str:
        return str(obj.ask_type.code)

    @staticmethod
    def resolve_effort(obj: Any) -> str:
        return str(obj.ask_type.effort)

    @staticmethod
    def resolve_missed_send_window(obj: Any) -> bool:
        return bool(obj.missed_send_window(timezone.now()))


class AskEventOut(Schema):
    from_status: str
    to_status: str
    actor_id: int | None
    note: str
    at: datetime


class CapOverrideOut(Schema):
    actor_id: int
    reason: str
    at: datetime


class AskDetailOut(AskOut):
    events: list[AskEventOut] = Field(description="Every transition, oldest first")
    cap_overrides: list[CapOverrideOut] = Field(description="Who overrode a cap, and why")

    @staticmethod
    def resolve_events(obj: Any) -> list[Any]:
        return list(obj.events.all())

    @staticmethod
    def resolve_cap_overrides(obj: Any) -> list[Any]:
        return list(obj.cap_overrides.all())


class AskFilters(Schema):
    status: AskStatus | None = None
    play: PlayName | None = None
    contact_id: int | None = Field(None, ge=1, le=MAX_ID)
    ask_type: Annotated[str, bounded(50)] | None = Field(None, description="An ask type code")
    paused: bool | None = Field(None, description="Only paused (true) or unpaused (false) asks")
    missed_window: bool | None = Field(
        None,
        description="Only asks that missed their send window (true) or those that did not (false)",
    )
    owner: Annotated[str, bounded(150)] | None = Field(None, description="The owner's username")
    owner_role: Annotated[str, bounded(20)] | None = Field(
        None, description="The role that owns it: `cs`, `marketing`…"
    )
    due: Literal["overdue", "week", "later"] | None = Field(
        None,
        description="Open asks past due, due in the next 7 days, or due later (or undated)",
    )
    view: Annotated[str, bounded(60)] | None = Field(
        None, description="The name of one of your saved views; the other filters narrow it"
    )


class AskIn(AsOfIn):
    """An ask opened by hand. Exclusions and tap caps hold, unless `override_reason` is given."""

    contact_id: Id
    ask_type: Annotated[str, bounded(50, min_length=1)] = Field(
        description="An ask type code: `review`, `case_study`…"
    )
    note: Annotated[str, bounded(2000)] = ""
    override_reason: Annotated[str, bounded(1000)] = Field(
        "", description="Why the exclusions and tap cap are set aside; recorded with your name"
    )


class TransitionIn(AsOfIn):
    """A move of an ask to another state; only the moves of the transition table succeed."""

    to: AskStatus = Field(description="The state to move to (409 names the allowed ones)")
    note: Annotated[str, bounded(2000)] = ""


class DeclineIn(AsOfIn):
    note: Annotated[str, bounded(2000)] = ""


class DeclineOut(Schema):
    """The declined ask and what became of its play's fallback ask."""

    ask: AskDetailOut
    fallback: AskOut | None = Field(description="The fallback ask opened, if any")
    fallback_outcome: str = Field(description="`opened`, `none`, `capped` or `excluded`")
    detail: str


class SavedViewFilters(Schema):
    """A filter set of the pipeline, as `GET /api/asks` and the board apply it."""

    owner: Annotated[str, bounded(150)] = Field("", description="An owner's username")
    role: Annotated[str, bounded(20)] = Field("", description="The owner role")
    play: Annotated[str, bounded(100)] = Field("", description="A play's slug; `-`: manual asks")
    ask_type: Annotated[str, bounded(50)] = Field("", description="An ask type code")
    due: Literal["", "overdue", "week", "later"] = ""
    paused: Literal["", "yes", "no"] = ""
    mine: bool = Field(False, description="Only the asks of whoever uses the view")


class SavedViewIn(Schema):
    filters: SavedViewFilters


class SavedViewOut(Schema):
    name: str
    filters: dict[str, Any] = Field(description="Only the filters that narrow something")
    created_at: datetime
    updated_at: datetime


class BulkAskIn(AsOfIn):
    """Ask many contacts at once, by hand. The rules and the tap caps hold for each; nothing is
    overridden in bulk."""

    contact_ids: list[Id] = Field(
        min_length=1, max_length=500, description="The contacts to ask (at most 500)"
    )
    ask_type: Annotated[str, bounded(50, min_length=1)] = Field(
        description="An ask type code: `review`, `case_study`…"
    )
    note: Annotated[str, bounded(2000)] = ""


class BulkOpenedOut(Schema):
    id: int
    contact_id: int
    status: AskStatus


class BulkRefusedOut(Schema):
    contact_id: int
    email: str
    code: str = Field(
        description="The reason code(s), comma-separated: `cap_low_effort`, `nps_below_min`…"
    )
    reason: str = Field(description="Why, in words")


class BulkAskOut(Schema):
    ask_type: str
    opened: list[BulkOpenedOut] = Field(description="The asks opened, one per contact")
    refused: list[BulkRefusedOut] = Field(description="The contacts not asked, and why")


class BulkAssignIn(AsOfIn):
    """Give several asks to one user, each recorded as an event."""

    ask_ids: list[Id] = Field(min_length=1, max_length=500)
    owner: Annotated[str, bounded(150, min_length=1)] = Field(
        description="The username of the new owner"
    )
    note: Annotated[str, bounded(2000)] = ""


class BulkAssignOut(Schema):
    ids: list[int]
    owner: str
