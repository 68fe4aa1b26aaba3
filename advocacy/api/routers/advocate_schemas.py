"""Schemas of advocates (stored profiles) and of a contact's next best asks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from advocacy.api.schemas import Moment, bounded
from advocacy.customers.models import Persona, Region, SizeBand

# The engine's words (advocacy.engine.conditions.FIELDS); a test keeps them in step.
Stage = Literal["activation", "engagement", "expansion", "mature"]
Rung = Literal["none", "satisfied", "engaged", "advocate", "champion", "ambassador"]


class AdvocateOut(Schema):
    """A contact's profile as of the last refresh, and the ask types it is ready for."""

    contact_id: int
    email: str
    first_name: str
    last_name: str
    persona: str
    account_id: int
    account_name: str
    stage: str
    rung: str
    ready: list[str] = Field(description="Codes of the ask types the contact is ready for")
    nps: float | None
    nps_at: datetime | None
    health: float | None
    open_tickets: int
    last_activity_at: datetime | None
    activities_12m: int
    as_of: datetime = Field(description="When the profile was computed")

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return str(obj.contact.email)

    @staticmethod
    def resolve_first_name(obj: Any) -> str:
        return str(obj.contact.first_name)

    @staticmethod
    def resolve_last_name(obj: Any) -> str:
        return str(obj.contact.last_name)

    @staticmethod
    def resolve_persona(obj: Any) -> str:
        return str(obj.contact.persona)

    @staticmethod
    def resolve_account_name(obj: Any) -> str:
        return str(obj.contact.account.name)

    @staticmethod
    def resolve_ready(obj: Any) -> list[str]:
        return list(obj.ready_codes)


class AdvocateFilters(Schema):
    stage: Stage | None = None
    rung: Rung | None = None
    ready_for: Annotated[str, bounded(50)] | None = Field(
        None, description="An ask type code: only contacts ready for it"
    )
    persona: Persona | None = None
    industry: Annotated[str, bounded(100)] | None = Field(None, description="Case-insensitive")
    region: Region | None = None
    size_band: SizeBand | None = None


class AsOfQuery(Schema):
    as_of: Moment | None = Field(None, description="Explain as of this moment (default: now)")


class ProfileOut(Schema):
    """The contact's profile as of the moment explained (docs/engine.md, Profiles)."""

    nps: float | None
    nps_at: datetime | None
    csat: float | None
    health: float | None
    customer_since: date | None
    last_activity_at: datetime | None
    last_milestone_at: datetime | None
    open_tickets: int
    last_ticket_at: datetime | None
    last_renewal_at: datetime | None
    last_expansion_at: datetime | None
    last_result_at: datetime | None
    last_nomination_at: datetime | None
    activities_12m: int
    stage: str
    rung: str
    persona: str


class ReasonOut(Schema):
    code: str = Field(description="A stable reason code (docs/policy.md lists them all)")
    text: str
    ok: bool = Field(description="Whether this reason speaks for the ask")


class AskOptionOut(Schema):
    code: str
    name: str
    effort: str
    ready: bool
    score: float = Field(description="Higher first: readiness, stage fit, effort, value")
    reasons: list[ReasonOut]
    next_allowed_at: datetime | None = Field(
        description="When the tap cap of this effort allows the next ask (null: now)"
    )


class ExplanationOut(Schema):
    contact_id: int
    email: str
    as_of: datetime
    profile: ProfileOut
    options: list[AskOptionOut] = Field(description="Every active ask type, best first")
