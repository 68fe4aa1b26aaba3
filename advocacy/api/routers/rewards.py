"""/api/rewards: the ledger, balances, tiers, redemptions, fulfilment and spend.

Every write goes through advocacy.rewards.services; a refusal (over the balance, a charity not
on the list, a held redemption fulfilled) is 409 with its reason and writes nothing.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

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
    BudgetIn,
    CreditIn,
    EntryOut,
    FulfilIn,
    FulfilOut,
    LedgerFilters,
    ProcessedOut,
    ReasonIn,
    RedeemIn,
    RedemptionFilters,
    RedemptionOut,
    RewardAsOfQuery,
    SpendOut,
    StandingOut,
    money,
)
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, AsOfIn, ErrorOut, Page, as_of
from advocacy.customers.models import Contact
from advocacy.pipeline.models import Ask
from advocacy.rewards import services
from advocacy.rewards.models import Entry, Redemption
from advocacy.rewards.policy import active_policy
from advocacy.rewards.services import RewardError
from advocacy.rewards.tiers import quarter_bounds, standings

router = ScopedRouter(tags=["rewards"])
T = TypeVar("T")
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
    return _spend(quarter)


def _spend(quarter: str) -> SpendOut:
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


QuarterPath = Path(..., pattern=r"^[12]\d{3}Q[1-4]$")


def _refused(act: Callable[[], T]) -> T:
    """Run one service call; its refusal is 409 with the reason, and nothing was written."""
    try:
        return act()
    except RewardError as exc:
        raise HttpError(409, str(exc)) from None


@router.get("/redemptions", response=list[RedemptionOut], operation_id="list_reward_redemptions")
@paginate(Page)
def redemptions(request: HttpRequest, filters: Query[RedemptionFilters]) -> QuerySet[Redemption]:
    """Redemptions, held and waiting first, then the newest."""
    found = Redemption.objects.order_by("status", "-requested_at", "-id")
    return found.filter(status=filters.status) if filters.status else found


@router.post(
    "/redemptions/{int:redemption_id}/release",
    response={200: RedemptionOut, 409: ErrorOut},
    operation_id="release_reward_redemption",
)
def release(
    request: HttpRequest, payload: AsOfIn, redemption_id: int = Path(..., ge=1, le=MAX_ID)
) -> Redemption:
    """Let a held redemption go to fulfilment; 409 if it is not held."""
    found = get_object_or_404(Redemption, pk=redemption_id)
    user = principal_of(request).user
    return _refused(lambda: services.release(found, actor=user, now=as_of(payload.as_of)))


@router.post(
    "/redemptions/{int:redemption_id}/refusal",
    response={200: RedemptionOut, 409: ErrorOut},
    operation_id="refuse_reward_redemption",
)
def refuse(
    request: HttpRequest, payload: ReasonIn, redemption_id: int = Path(..., ge=1, le=MAX_ID)
) -> Redemption:
    """Refuse a redemption, with the reason: the advocate's balance comes back; 409 if it was
    already fulfilled or refused."""
    found = get_object_or_404(Redemption, pk=redemption_id)
    user = principal_of(request).user
    return _refused(
        lambda: services.refuse(found, payload.reason, actor=user, now=as_of(payload.as_of))
    )


@router.post(
    "/credits", response={201: EntryOut, 404: ErrorOut, 409: ErrorOut}, operation_id="credit_reward"
)
def credit(request: HttpRequest, payload: CreditIn) -> Status[Entry]:
    """Credit a reward by hand, with the reason (201); 409 if the activity is not the
    advocate's or was cancelled."""
    contact = get_object_or_404(Contact, pk=payload.contact_id)
    ask = None if payload.ask_id is None else get_object_or_404(Ask, pk=payload.ask_id)
    user = principal_of(request).user
    made = _refused(
        lambda: services.credit(
            contact,
            payload.amount_cents,
            payload.reason,
            ask=ask,
            actor=user,
            now=as_of(payload.as_of),
        )
    )
    return Status(201, made)


@router.post(
    "/ledger/{int:entry_id}/reversal",
    response={201: EntryOut, 409: ErrorOut},
    operation_id="reverse_reward_entry",
)
def reverse(
    request: HttpRequest, payload: ReasonIn, entry_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[Entry]:
    """Reverse a ledger entry, with the reason: a new entry of the opposite amount (201); 409
    for an entry already reversed, itself a reversal, or one paying a redemption."""
    entry = get_object_or_404(Entry.objects.select_related("contact"), pk=entry_id)
    user = principal_of(request).user
    back = _refused(
        lambda: services.reverse(entry, payload.reason, actor=user, now=as_of(payload.as_of))
    )
    return Status(201, back)


@router.post(
    "/budgets/{quarter}", response={200: SpendOut, 409: ErrorOut}, operation_id="set_reward_budget"
)
def set_budget(request: HttpRequest, payload: BudgetIn, quarter: str = QuarterPath) -> SpendOut:
    """Set a quarter's budget (written 2026Q4); answers the spend against it."""
    user = principal_of(request).user
    _refused(
        lambda: services.set_budget(
            quarter, payload.amount_cents, actor=user, now=as_of(payload.as_of)
        )
    )
    return _spend(quarter)


@router.post(
    "/processing/{quarter}",
    response={200: ProcessedOut, 409: ErrorOut},
    operation_id="process_reward_quarter",
)
def process(request: HttpRequest, payload: AsOfIn, quarter: str = QuarterPath) -> ProcessedOut:
    """Run a quarter's tier rewards once it is over: what this run credited (a second run
    credits nothing); 409 before the quarter ends."""
    user = principal_of(request).user
    done = _refused(lambda: services.process_quarter(quarter, actor=user, now=as_of(payload.as_of)))
    return ProcessedOut(quarter=done.quarter, credited=done.credited, waiting=done.waiting)
