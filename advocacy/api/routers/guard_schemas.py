"""Schemas of the guards (pause, resume, replacements, reassign) and of agreements."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Schema

from advocacy.api.routers.ask_schemas import AskDetailOut, AskOut
from advocacy.api.schemas import MAX_ID, AsOf, AsOfIn, Id, bounded
from advocacy.pipeline.agreements import AgreementStatus

Code = Annotated[str, bounded(50, min_length=1)]


class PauseIn(AsOfIn):
    reason: Annotated[str, bounded(300, min_length=1)] = Field(
        description="Why the ask is on hold (shown on the board and the ask page)"
    )


class ResumeIn(AsOfIn):
    note: Annotated[str, bounded(300)] = ""


class GuardIn(AsOfIn):
    as_of: AsOf | None = Field(None, description="Apply the guards as of this moment")


class GuardOut(Schema):
    opt_outs_recorded: int = Field(description="Contacts whose opt-out signal was recorded")
    agreements_ended: int
    cancelled: list[int] = Field(description="Asks cancelled because their contact opted out")
    paused: dict[str, list[int]] = Field(description="Asks paused, per guard")
    resumed: dict[str, list[int]] = Field(description="Asks resumed, per guard")


class ReplacementOut(Schema):
    contact_id: int
    email: str
    name: str
    rung: str
    stage: str
    ready: bool = Field(description="The ask type's prerequisites hold")
    nps: float | None
    reasons: str


class ReassignIn(AsOfIn):
    contact_id: Id = Field(description="The replacement (same account)")
    note: Annotated[str, bounded(300)] = ""


class ReassignOut(Schema):
    cancelled: AskOut
    opened: AskDetailOut


class OptOutIn(AsOfIn):
    reason: Annotated[str, bounded(300)] = ""


class OptOutOut(Schema):
    contact_id: int
    email: str
    opted_out_at: datetime
    already_opted_out: bool = Field(description="Opted out before: the first date is kept")
    cancelled_asks: list[int]
    agreements_ended: list[int]


class AgreementOut(Schema):
    id: int
    contact_id: int
    email: str
    status: AgreementStatus
    scope: list[str] = Field(description="Ask type codes the advocate agreed to")
    benefits: str
    starts_on: date
    ends_on: date | None
    signed_on: date | None
    ended_at: datetime | None
    end_reason: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return str(obj.contact.email)


class AgreementIn(AsOfIn):
    """A new agreement: a draft, or active when `signed_on` is given."""

    contact_id: Id
    scope: list[Code] = Field(max_length=20)
    benefits: Annotated[str, bounded(5000)] = ""
    starts_on: date
    ends_on: date | None = None
    signed_on: date | None = Field(None, description="Given: the agreement is active")


class AgreementPatch(AsOfIn):
    """Changes to a draft or active agreement; a `signed_on` date makes it active."""

    scope: list[Code] | None = Field(None, max_length=20)
    benefits: Annotated[str, bounded(5000)] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    signed_on: date | None = None


class AgreementFilters(Schema):
    contact_id: int | None = Field(None, ge=1, le=MAX_ID)
    status: AgreementStatus | None = None


class EndIn(AsOfIn):
    reason: Annotated[str, bounded(300)] = ""
