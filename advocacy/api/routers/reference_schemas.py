"""Schemas of the reference desk: requests, candidates, offers, calls and the fill-rate stats."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from advocacy.api.schemas import WHOLE, Amount, AsOfIn, Id, UtcInstant, bounded
from advocacy.customers.models import Region, SizeBand
from advocacy.references.models import (
    CallOutcome,
    OfferStatus,
    OpportunityResult,
    RequestFormat,
    RequestStatus,
)

Text = Annotated[str, bounded(200)]


class RequestIn(AsOfIn):
    """A reference request filed by sales."""

    opportunity: Annotated[str, bounded(200, min_length=1)]
    opportunity_ref: Annotated[str, bounded(100)] = Field("", description="The CRM's id")
    amount: Amount | None = None
    prospect_company: Annotated[str, bounded(200, min_length=1)]
    prospect_contacts: list[Annotated[str, bounded(254)]] = Field(
        [], max_length=10, description="Emails of the prospect's people, invited to the call"
    )
    industry: Annotated[str, bounded(100, min_length=1)]
    region: Region | None = None
    size_band: SizeBand | None = None
    products: list[Text] = Field([], max_length=20)
    use_case: Text = ""
    needed_by: date
    format: RequestFormat = RequestFormat.CALL
    notes: Annotated[str, bounded(2000)] = ""


class OfferOut(Schema):
    id: int
    request_id: int
    contact_id: int
    email: str
    ask_id: int
    status: OfferStatus
    offered_at: datetime
    answered_at: datetime | None

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return str(obj.contact.email)


class CallOut(Schema):
    id: int
    contact_id: int
    uid: str = Field(description="The calendar invite's stable UID")
    starts_at: datetime
    duration_minutes: int
    outcome: CallOutcome
    rating: int | None
    notes: str
    request_ids: list[int]

    @staticmethod
    def resolve_request_ids(obj: Any) -> list[int]:
        return sorted(r.pk for r in obj.requests.all())


class RequestOut(Schema):
    id: int
    opportunity: str
    opportunity_ref: str
    amount: Decimal | None
    prospect_company: str
    prospect_contacts: list[str]
    industry: str
    region: str
    size_band: str
    products: list[str]
    use_case: str
    needed_by: date
    format: RequestFormat
    notes: str
    requested_by_id: int
    status: RequestStatus
    result: OpportunityResult
    filed_at: datetime
    filled_at: datetime | None
    closed_at: datetime | None


class RequestDetailOut(RequestOut):
    offers: list[OfferOut]
    calls: list[CallOut]

    @staticmethod
    def resolve_offers(obj: Any) -> list[Any]:
        return list(obj.offers.all())

    @staticmethod
    def resolve_calls(obj: Any) -> list[Any]:
        return list(obj.calls.all())


class RequestFilters(Schema):
    status: RequestStatus | None = None


class ReferenceCandidateOut(Schema):
    contact_id: int
    email: str
    name: str
    account: str
    score: int = Field(description="fit + rest + outcomes")
    fit: int
    rest: int
    outcomes: int
    reasons: list[str] = Field(description="Why it ranks here, each with its points")
    last_tapped_at: datetime | None
    calls_completed: int
    average_rating: float | None


class OfferIn(AsOfIn):
    contact_id: Id
    note: Annotated[str, bounded(2000)] = ""


class ResponseIn(AsOfIn):
    accepted: bool = Field(description="true: the advocate accepts; false: declines")
    note: Annotated[str, bounded(2000)] = ""


class CallIn(AsOfIn):
    starts_at: UtcInstant = Field(description="With an offset; without one it is read as UTC")
    duration_minutes: Annotated[int, Field(ge=5, le=240), WHOLE] = 20
    also: list[Id] = Field(
        [], max_length=3, description="Other open requests joining a group call (2-4 in all)"
    )


class RescheduleIn(AsOfIn):
    starts_at: UtcInstant = Field(description="With an offset; without one it is read as UTC")
    duration_minutes: Annotated[int, Field(ge=5, le=240), WHOLE] | None = Field(
        None, description="A new length (default: as it was)"
    )


class TimesIn(AsOfIn):
    starts_at: list[UtcInstant] = Field(
        ..., min_length=1, max_length=5,
        description="1-5 times the advocate chooses from, with offsets (without: UTC)",
    )  # fmt: skip
    duration_minutes: Annotated[int, Field(ge=5, le=240), WHOLE] = 20


class TimeOut(Schema):
    id: int
    starts_at: datetime
    duration_minutes: int


class OutcomeIn(AsOfIn):
    outcome: CallOutcome = Field(description="held, no_show or cancelled")
    rating: Annotated[int, Field(ge=1, le=5), WHOLE] | None = None
    notes: Annotated[str, bounded(2000)] = ""


class ResultIn(AsOfIn):
    result: OpportunityResult


class CloseIn(AsOfIn):
    status: RequestStatus = Field(description="unfilled or cancelled")


class StatsFilters(Schema):
    days: int = Field(90, ge=1, le=3650, description="The period: the last N days")


class FillSegmentOut(Schema):
    dimension: str
    value: str
    label: str
    filed: int
    filled: int
    pending: int
    fill_rate: float | None
    median_hours_to_fill: float | None
    mean_hours_to_fill: float | None
    alert: bool


class StatsOut(Schema):
    start: datetime
    end: datetime
    threshold: float
    overall: FillSegmentOut
    segments: list[FillSegmentOut]
    alerts: list[str]
