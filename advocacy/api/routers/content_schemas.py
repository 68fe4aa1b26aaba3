"""Schemas of content: assets with their consent, timeline and reuse log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema

from advocacy.api.schemas import MAX_ID, AsOfIn, Id, Moment, bounded
from advocacy.content.models import AssetKind, AssetStatus, Channel, ConsentScope
from advocacy.content.services import allowed_moves


class AssetOut(Schema):
    id: int
    kind: AssetKind
    status: AssetStatus
    title: str
    contact_id: int
    email: str
    account_id: int
    account: str
    ask_id: int | None = Field(description="The ask that produced it, if any")
    url: str
    scopes: list[ConsentScope] = Field(description="What the consent in force grants")
    consent_expires_at: datetime | None
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return str(obj.contact.email)

    @staticmethod
    def resolve_account(obj: Any) -> str:
        return str(obj.account.name)


class AssetEventOut(Schema):
    from_status: str
    to_status: str
    actor_id: int | None
    note: str
    at: datetime


class ConsentOut(Schema):
    scopes: list[ConsentScope]
    granted_at: datetime
    expires_at: datetime
    recorded_by_id: int | None
    recorded_at: datetime
    note: str


class UseOut(Schema):
    id: int
    asset_id: int
    channel: Channel
    where: str
    needs: list[ConsentScope] = Field(description="The consent scopes the use needs")
    outcome: str = Field(description="`recorded`, or `refused` (kept for the audit)")
    reason: str = Field(description="Why it was refused")
    used_by_id: int | None
    at: datetime
    note: str
    opportunity_ref: str = Field(description="The CRM deal id the asset was used in, if any")


class RepermissionOut(Schema):
    asset_id: int
    title: str
    expires_at: datetime
    raised_at: datetime
    resolved_at: datetime | None
    resolution: str

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return str(obj.asset.title)


class AssetDetailOut(AssetOut):
    body: str
    headline: str
    overview: str
    challenge: str
    solution: str
    results: list[str]
    quote: str
    look_ahead: str
    allowed_moves: list[AssetStatus] = Field(description="The states it may move to now")
    events: list[AssetEventOut] = Field(description="Every transition, oldest first")
    consents: list[ConsentOut] = Field(description="Every consent recorded; the last is in force")
    uses: list[UseOut] = Field(description="Every use and refused attempt, newest first")

    @staticmethod
    def resolve_allowed_moves(obj: Any) -> list[str]:
        return allowed_moves(obj.status)

    @staticmethod
    def resolve_events(obj: Any) -> list[Any]:
        return list(obj.events.all())

    @staticmethod
    def resolve_consents(obj: Any) -> list[Any]:
        return list(obj.consents.all())

    @staticmethod
    def resolve_uses(obj: Any) -> list[Any]:
        return list(obj.uses.all())


class AssetFilters(Schema):
    kind: AssetKind | None = None
    status: AssetStatus | None = None
    scope: ConsentScope | None = Field(None, description="Only assets whose consent grants it")
    contact_id: int | None = Field(None, ge=1, le=MAX_ID)
    account_id: int | None = Field(None, ge=1, le=MAX_ID)
    repermission: bool | None = Field(
        None, description="Only assets with an open re-permission reminder"
    )


Text = Annotated[str, bounded(20_000)]


class AssetIn(AsOfIn):
    """A new asset, a draft; case study fields follow the seed template."""

    kind: AssetKind
    title: Annotated[str, bounded(200, min_length=1)]
    contact_id: Id
    ask_id: Id | None = Field(None, description="The ask that produced it")
    body: Text = ""
    url: Annotated[str, bounded(500)] = ""
    headline: Annotated[str, bounded(200)] = ""
    overview: Text = ""
    challenge: Text = ""
    solution: Text = ""
    results: list[Annotated[str, bounded(500)]] = Field(default_factory=list, max_length=20)
    quote: Text = ""
    look_ahead: Text = ""
    note: Annotated[str, bounded(2000)] = ""


class AssetEditIn(AsOfIn):
    """New text for a draft; the fields left out stay as they are."""

    title: Annotated[str, bounded(200, min_length=1)] | None = None
    body: Text | None = None
    url: Annotated[str, bounded(500)] | None = None
    headline: Annotated[str, bounded(200)] | None = None
    overview: Text | None = None
    challenge: Text | None = None
    solution: Text | None = None
    results: list[Annotated[str, bounded(500)]] | None = Field(None, max_length=20)
    quote: Text | None = None
    look_ahead: Text | None = None
    note: Annotated[str, bounded(2000)] = ""


class AssetTransitionIn(AsOfIn):
    """A move to another state; only the moves of the transition table succeed."""

    to: AssetStatus = Field(description="The state to move to (409 names the allowed ones)")
    note: Annotated[str, bounded(2000)] = ""


class ConsentIn(AsOfIn):
    """What the advocate granted; it replaces the consent in force (a renewal extends it)."""

    scopes: list[ConsentScope] = Field(max_length=6)
    expires_at: Moment
    granted_at: Moment | None = Field(None, description="When the advocate gave it; default now")
    note: Annotated[str, bounded(2000)] = ""


class UseIn(AsOfIn):
    """A use of the asset; refused (409, and recorded) unless the consent covers it."""

    channel: Channel
    where: Annotated[str, bounded(500)] = ""
    shows: list[ConsentScope] = Field(
        default_factory=list,
        max_length=6,
        description="What else the use shows (an attributed quote shows `name` and `title`)",
    )
    note: Annotated[str, bounded(2000)] = ""
    opportunity_ref: Annotated[str, bounded(100)] = Field(
        "", description="The CRM deal (opportunity) id it was used in: counts toward its influence"
    )


class ExpiryRunOut(Schema):
    expired: list[int] = Field(description="Assets expired by this run")
    flagged: list[int] = Field(description="Assets given a re-permission reminder")
