"""Schemas of /api/referrals: deal amounts out in dollars as decimals, in as integer cents."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from advocacy.api.routers.reward_schemas import money
from advocacy.api.schemas import MAX_ID, WHOLE, AsOf, AsOfIn, Id, bounded
from advocacy.referrals.models import ReferralStatus

DealCents = Annotated[int, Field(ge=0, le=10**14), WHOLE]


class ReferralFilters(Schema):
    as_of: AsOf | None = Field(None, description="Statuses as of this moment (default: now).")
    status: ReferralStatus | None = Field(None, description="Only those in this status then.")
    advocate_id: int | None = Field(None, ge=1, le=MAX_ID, description="Only this advocate's.")


class ReferralAsOfQuery(Schema):
    as_of: AsOf | None = Field(None, description="As of this moment (default: now).")


class ReferralOut(Schema):
    id: int
    advocate_id: int
    prospect_name: str
    prospect_email: str
    prospect_company: str
    prospect_domain: str
    prospect_title: str
    status: ReferralStatus = Field(description="The status as of the moment asked about.")
    deal: Decimal | None
    via: str
    submitted_at: datetime

    @staticmethod
    def resolve_status(obj: object) -> str:
        return str(getattr(obj, "status_as_of", ""))

    @staticmethod
    def resolve_deal(obj: object) -> Decimal | None:
        cents = getattr(obj, "deal_cents", None)
        return None if cents is None else money(cents)


class ReferralEventOut(Schema):
    from_status: str
    to_status: ReferralStatus
    by: str
    note: str
    at: datetime


class ReferralDetailOut(ReferralOut):
    events: list[ReferralEventOut]

    @staticmethod
    def resolve_events(obj: object) -> list[object]:
        return list(getattr(obj, "events_then", []))


class ReferralIn(AsOfIn):
    advocate_id: Id = Field(description="The advocate (a contact) who refers.")
    name: Annotated[str, bounded(200, min_length=1)]
    email: Annotated[str, bounded(254, min_length=3)]
    company: Annotated[str, bounded(200, min_length=1)]
    website: Annotated[str, bounded(255)] = Field("", description="Default: the email's domain.")
    title: Annotated[str, bounded(200)] = ""
    note: Annotated[str, bounded(2000)] = ""


class MoveIn(AsOfIn):
    to: ReferralStatus
    deal_cents: DealCents | None = Field(
        None, description="The deal's amount in cents (decides the enterprise bonus)."
    )
    note: Annotated[str, bounded(500)] = ""


class ReferralLinkOut(Schema):
    advocate_id: int
    code: str
    link: str
