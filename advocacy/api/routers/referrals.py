"""/api/referrals: advocates' referrals, their moves, and an advocate's code and link.

Every write goes through advocacy.referrals.services; a refusal (a customer, a prospect
referred before, a move the table does not allow) is 409 with its reason and writes nothing,
the rewards ledger neither.
"""

from collections.abc import Callable
from typing import TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Query
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.routers.referral_schemas import (
    MoveIn,
    ReferralAsOfQuery,
    ReferralDetailOut,
    ReferralFilters,
    ReferralIn,
    ReferralLinkOut,
    ReferralOut,
)
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, ErrorOut, Page, as_of
from advocacy.customers.models import Contact
from advocacy.referrals import services
from advocacy.referrals.display import link_of
from advocacy.referrals.models import Referral, Via
from advocacy.referrals.services import Prospect, ReferralError

router = ScopedRouter(tags=["referrals"])
T = TypeVar("T")
ReferralId = Path(..., ge=1, le=MAX_ID)


def _refused(act: Callable[[], T]) -> T:
    try:
        return act()
    except ReferralError as exc:
        raise HttpError(409, str(exc)) from None


@router.get("", response=list[ReferralOut], operation_id="list_referrals")
@paginate(Page)
def referrals(request: HttpRequest, filters: Query[ReferralFilters]) -> QuerySet[Referral]:
    """Referrals submitted by a moment, newest first, each with its status then."""
    found = Referral.objects.as_of(as_of(filters.as_of), filters.status or "")
    if filters.advocate_id:
        found = found.filter(advocate_id=filters.advocate_id)
    return found


@router.get(
    "/{int:referral_id}",
    response={200: ReferralDetailOut, 404: ErrorOut},
    operation_id="get_referral",
)
def referral(
    request: HttpRequest, filters: Query[ReferralAsOfQuery], referral_id: int = ReferralId
) -> ReferralDetailOut:
    """A referral as of a moment, with its moves up to then (who made each)."""
    at = as_of(filters.as_of)
    found = get_object_or_404(Referral.objects.as_of(at), pk=referral_id)
    found.events_then = list(found.events.filter(at__lte=at))  # type: ignore[attr-defined]
    return ReferralDetailOut.from_orm(found)


@router.post(
    "",
    response={201: ReferralOut, 404: ErrorOut, 409: ErrorOut},
    operation_id="create_referral",
)
def create(request: HttpRequest, payload: ReferralIn) -> Status[Referral]:
    """Record a referral for an advocate (201); 409 for a customer or a prospect referred
    before (the first referrer wins)."""
    advocate = get_object_or_404(Contact, pk=payload.advocate_id)
    prospect = Prospect(
        name=payload.name,
        email=payload.email,
        company=payload.company,
        website=payload.website,
        title=payload.title,
        note=payload.note,
    )
    user = principal_of(request).user
    made = _refused(
        lambda: services.submit(
            advocate, prospect, via=Via.STAFF, actor=user, now=as_of(payload.as_of)
        )
    )
    return Status(201, made)


@router.post(
    "/{int:referral_id}/moves",
    response={200: ReferralOut, 404: ErrorOut, 409: ErrorOut},
    operation_id="move_referral",
)
def move(request: HttpRequest, payload: MoveIn, referral_id: int = ReferralId) -> Referral:
    """Move a referral (meeting booked and closed won credit the advocate's bonus); 409 for a
    move the table does not allow from its status."""
    found = get_object_or_404(Referral, pk=referral_id)
    user = principal_of(request).user
    return _refused(
        lambda: services.move(
            found,
            payload.to,
            deal_cents=payload.deal_cents,
            note=payload.note,
            actor=user,
            now=as_of(payload.as_of),
        )
    )


@router.get(
    "/links/{int:contact_id}",
    response={200: ReferralLinkOut, 404: ErrorOut},
    operation_id="get_referral_link",
)
def link(request: HttpRequest, contact_id: int = Path(..., ge=1, le=MAX_ID)) -> ReferralLinkOut:
    """An advocate's referral code and link (given on first asking)."""
    contact = get_object_or_404(Contact, pk=contact_id)
    code = services.code_for(contact, now=as_of(None))
    return ReferralLinkOut(advocate_id=contact.pk, code=code, link=link_of(code))
