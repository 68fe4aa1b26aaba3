"""/api/recognition: the champions group, the featured customers, an advocate's badge.

Reads need `read`; issuing and revoking a badge need `recognition.badge` (scope
`rewards:write`). A refusal (not a champion, already revoked) is 409 with its reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, AsOf, AsOfIn, ErrorOut, as_of
from advocacy.customers.models import Contact
from advocacy.recognition import services
from advocacy.recognition.services import RecognitionError

router = ScopedRouter(tags=["recognition"])
ContactId = Path(..., ge=1, le=MAX_ID)


class RecognitionAsOfQuery(Schema):
    as_of: AsOf | None = Field(None, description="As of this moment (default: now).")


class ChampionOut(Schema):
    contact_id: int
    email: str
    name: str
    account: str
    tier: str


class FeaturedOut(Schema):
    contact_id: int
    account: str
    name: str
    title: str = Field(description="Empty unless a consent in force allows the job title")
    logo: bool = Field(description="Whether a consent in force allows the account's logo")
    quote: str = Field(description="Empty unless a consent in force allows the quote")


class BadgeOut(Schema):
    id: int
    email: str
    tier: str = Field(description="The tier's name when the badge was issued")
    year: int
    shows_name: str = Field(description="The name it shows: empty without consent to name them")
    issued_at: datetime
    revoked_at: datetime | None
    page: str | None = Field(None, description="Its public page (absent once revoked)")
    image: str | None = Field(None, description="Its SVG image (absent once revoked)")
    preview: str | None = Field(
        None, description="Its PNG, for link previews (absent once revoked)"
    )


def _champions(moment: datetime) -> list[services.Champion]:
    try:
        return services.champions(moment)
    except RecognitionError as exc:
        raise HttpError(409, str(exc)) from None


@router.get(
    "/champions", response={200: list[ChampionOut], 409: ErrorOut}, operation_id="list_champions"
)
def champions(
    request: HttpRequest, filters: Query[RecognitionAsOfQuery]
) -> list[services.Champion]:
    """The champions group as of a moment: everyone reachable at the champions tier or above."""
    return _champions(as_of(filters.as_of))


@router.get("/featured", response=list[FeaturedOut], operation_id="list_featured_customers")
def featured(request: HttpRequest, filters: Query[RecognitionAsOfQuery]) -> list[services.Featured]:
    """The featured customers: those a consent in force allows naming, only consented fields."""
    return services.featured(as_of(filters.as_of))


@router.get("/badges/{int:contact_id}", response=BadgeOut, operation_id="get_badge")
def badge(
    request: HttpRequest, filters: Query[RecognitionAsOfQuery], contact_id: int = ContactId
) -> Any:
    """The advocate's live badge of the year of `as_of` (404 if none)."""
    contact = get_object_or_404(Contact, pk=contact_id)
    moment = as_of(filters.as_of)
    found = services.current_badge(contact, moment)
    if found is None:
        raise HttpError(404, f"{contact.email} has no badge for {moment.year}")
    return services.badge_row(found, moment)


@router.post(
    "/badges/{int:contact_id}",
    response={201: BadgeOut, 409: ErrorOut},
    operation_id="issue_badge",
)
def issue(request: HttpRequest, payload: AsOfIn, contact_id: int = ContactId) -> Status[Any]:
    """Issue the advocate's badge of this year (201; the same one if it exists); 409 unless
    they are in the champions group."""
    contact = get_object_or_404(Contact, pk=contact_id)
    moment = as_of(payload.as_of)
    try:
        made = services.issue_badge(contact, actor=principal_of(request).user, now=moment)
    except RecognitionError as exc:
        raise HttpError(409, str(exc)) from None
    return Status(201, services.badge_row(made, moment))


@router.post(
    "/badges/{int:contact_id}/revoke",
    response={200: BadgeOut, 404: ErrorOut, 409: ErrorOut},
    operation_id="revoke_badge",
)
def revoke(request: HttpRequest, payload: AsOfIn, contact_id: int = ContactId) -> Any:
    """Revoke the advocate's badge of this year: its public address stops answering."""
    contact = get_object_or_404(Contact, pk=contact_id)
    moment = as_of(payload.as_of)
    found = services.current_badge(contact, moment)
    if found is None:
        raise HttpError(404, f"{contact.email} has no badge for {moment.year}")
    try:
        done = services.revoke_badge(found, actor=principal_of(request).user, now=moment)
    except RecognitionError as exc:
        raise HttpError(409, str(exc)) from None
    return services.badge_row(done, moment)
