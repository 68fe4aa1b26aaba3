"""Schemas of /api/rewards: money out in dollars as decimals, in as integer cents."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from advocacy.api.schemas import MAX_ID, WHOLE, AsOf, AsOfIn, Id, bounded
from advocacy.rewards.models import EntryKind, RedemptionStatus, RewardType

CENT = Decimal("0.01")


def money(cents: int) -> Decimal:
    """Cents as dollars with two places: 10000 is 100.00."""
    return (Decimal(cents) / 100).quantize(CENT)


class RewardAsOfQuery(Schema):
    as_of: AsOf | None = Field(None, description="As of this moment (default: now).")


class LedgerFilters(RewardAsOfQuery):
    contact_id: int | None = Field(None, ge=1, le=MAX_ID)


class EntryOut(Schema):
    id: int
    contact_id: int
    kind: EntryKind
    amount: Decimal
    reason: str
    ask_id: int | None
    redemption_id: int | None
    reverses_id: int | None
    reward_type: str
    quarter: str
    at: datetime

    @staticmethod
    def resolve_amount(obj: object) -> Decimal:
        return money(getattr(obj, "amount_cents", 0))


class BalanceOut(Schema):
    contact_id: int
    balance: Decimal
    as_of: datetime


class TierReasonOut(Schema):
    tier: str
    met: bool
    text: str


class StandingOut(Schema):
    contact_id: int
    policy: str
    level: int
    tier: str
    reasons: list[TierReasonOut]


class RedeemIn(AsOfIn):
    contact_id: Id
    amount_cents: Annotated[int, Field(ge=1, le=100_000_000), WHOLE] = Field(
        description="In cents: 5000 is $50."
    )
    reward_type: RewardType
    charity: Annotated[str, bounded(50)] = ""


class RedemptionOut(Schema):
    id: int
    contact_id: int
    reward_type: RewardType
    charity: str
    amount: Decimal
    status: RedemptionStatus
    held_reason: str
    quarter: str
    delivered: str
    fulfilled_at: datetime | None

    @staticmethod
    def resolve_amount(obj: object) -> Decimal:
        return money(getattr(obj, "amount_cents", 0))


class FulfilIn(AsOfIn):
    ids: list[Id] = Field(..., min_length=1, max_length=500)
    delivered: Annotated[str, bounded(300, min_length=1)]


class FulfilOut(Schema):
    fulfilled: int


class SpendOut(Schema):
    quarter: str
    budget: Decimal | None
    committed: Decimal
    fulfilled: Decimal
    remaining: Decimal | None
    held: int
    waiting: int


class RedemptionFilters(Schema):
    status: RedemptionStatus | None = Field(None, description="Only redemptions in this state.")


class CreditIn(AsOfIn):
    contact_id: Id
    amount_cents: Annotated[int, Field(ge=1, le=100_000_000), WHOLE] = Field(
        description="In cents: 5000 is $50."
    )
    reason: Annotated[str, bounded(300, min_length=1)]
    ask_id: Id | None = Field(None, description="The activity (ask) it is for.")


class ReasonIn(AsOfIn):
    reason: Annotated[str, bounded(300, min_length=1)]


class BudgetIn(AsOfIn):
    amount_cents: Annotated[int, Field(ge=0, le=100_000_000_000), WHOLE] = Field(
        description="In cents: 500000 is $5,000."
    )


class ProcessedOut(Schema):
    quarter: str
    credited: int
    waiting: int
