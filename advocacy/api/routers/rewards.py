"""/api/rewards: the ledger, balances, tiers, redemptions, fulfilment and spend.

Every write goes through advocacy.rewards.services; a refusal (over the balance, a charity not
on the list, a held redemption fulfilled) is 409 with its reason and writes nothing.
"""

from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Query
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.routers.reward_schemas import (
    BalanceOut,
    EntryOut,
    FulfilIn,
    FulfilOut,
    LedgerFilters,
    RedeemIn,
    RedemptionOut,
    RewardAsOfQuery,
    SpendOut,
    StandingOut,
    money,
)
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, ErrorOut, Page, as_of
from advocacy.customers.models import Contact
from advocacy.rewards import services
from advocacy.rewards.models import Entry, Redemption
from advocacy.rewards.policy import active_policy
from advocacy.rewards.services import RewardError
from advocacy.rewards.tiers import quarter_bounds, standings

router = ScopedRouter(tags=["rewards"])
ContactId = Path(..., ge=1, le=MAX_ID)


def _money(cents: int | None) -> Decimal | None:
    return None if cents is None else money(cents)


@router.get("/ledger", response=list[EntryOut], operation_id="list_reward_entries")
@paginate(Page)
def ledger(request: HttpRequest, filters: Query[LedgerFilters]) -> QuerySet[Entry]:
    """Ledger entries as of a moment, oldest first; filter by contact."""
    found = Entry.objects.filter(at__lte=as_of(filters.as_of))
    if filters.contact_id:
        found = found.filter(contact_id=filters.contact_id)
    return found


@router.get("/balance/{int:contact_id}", response=BalanceOut, operation_id="get_reward_balance")
def balance(
    request: HttpRequest, filters: Query[RewardAsOfQuery], contact_id: int = ContactId
) -> BalanceOut:
    """A contact's balance: the sum of its entries as of a moment."""
    contact = get_object_or_404(Contact, pk=contact_id)
    at = as_of(filters.as_of)
    cents = services.balance(contact, at)
    return BalanceOut(contact_id=contact.pk, balance=money(cents), as_of=at)


@router.get("/tiers/{int:contact_id}", response=StandingOut, operation_id="get_reward_tier")
def tier(
    request: HttpRequest, filters: Query[RewardAsOfQuery], contact_id: int = ContactId
) -> StandingOut:
    """A contact's tier as of a moment, with what each tier requires and whether it is met."""
    contact = get_object_or_404(Contact, pk=contact_id)
    policy = active_policy()
    (found,) = standings(Contact.objects.filter(pk=contact.pk), policy, as_of(filters.as_of))
    return StandingOut(
        contact_id=contact.pk,
        policy=policy.name,
        level=found.level,
        tier=found.tier,
        reasons=[{"tier": r.tier, "met": r.met, "text": r.text} for r in found.reasons],  # type: ignore[misc]
    )


@router.post(
    "/redemptions",
    response={201: RedemptionOut, 409: ErrorOut},
    operation_id="redeem_reward",
)
def redeem(request: HttpRequest, payload: RedeemIn) -> Status[Redemption]:
    """Redeem part of a balance for the reward type chosen (201); held for review when
    unusual; 409 over the balance or for a charity not on the list."""
    contact = get_object_or_404(Contact, pk=payload.contact_id)
    try:
        made = services.redeem(
            contact,
            payload.amount_cents,
            payload.reward_type,
            charity=payload.charity,
            actor=principal_of(request).user,
            now=as_of(payload.as_of),
        )
    except RewardError as exc:
        raise HttpError(409, str(exc)) from None
    return Status(201, made)


@router.post(
    "/fulfilments", response={200: FulfilOut, 409: ErrorOut}, operation_id="fulfil_rewards"
)
def fulfil(request: HttpRequest, payload: FulfilIn) -> FulfilOut:
    """Record that these redemptions were delivered, and what; all or none (409)."""
    try:
        n = services.fulfil(
            list(payload.ids),
            payload.delivered,
            actor=principal_of(request).user,
            now=as_of(payload.as_of),
        )
    except RewardError as exc:
        raise HttpError(409, str(exc)) from None
    return FulfilOut(fulfilled=n)


@router.get(
    "/spend/{quarter}", response={200: SpendOut, 404: ErrorOut}, operation_id="get_reward_spend"
)
def spend(request: HttpRequest, quarter: str = Path(..., pattern=r"^[12]\d{3}Q[1-4]$")) -> SpendOut:
    """Spend against a quarter's budget (written 2026Q4)."""
    quarter_bounds(quarter)
    s = services.spend(quarter)
    return SpendOut(
        quarter=s.quarter,
        budget=_money(s.budget_cents),
        committed=money(s.committed_cents),
        fulfilled=money(s.fulfilled_cents),
        remaining=_money(s.remaining_cents),
        held=s.held,
        waiting=s.waiting,
    )
