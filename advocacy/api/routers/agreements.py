"""/api/agreements and /api/contacts/{id}/opt-out (`customers:write`).

One current (draft or active) agreement per contact; opting out ends it and cancels every open
ask of the contact in the same transaction (advocacy.pipeline.agreement_services.opt_out).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Query
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.errors import BatchRejected, item_error
from advocacy.api.routers.guard_schemas import (
    AgreementFilters,
    AgreementIn,
    AgreementOut,
    AgreementPatch,
    EndIn,
    OptOutIn,
    OptOutOut,
)
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, ErrorOut, Page, as_of
from advocacy.customers.models import Contact
from advocacy.pipeline.agreement_services import (
    AgreementError,
    create_agreement,
    end_agreement,
    opt_out,
    update_agreement,
)
from advocacy.pipeline.agreements import Agreement, AgreementStatus

router = ScopedRouter(tags=["agreements"])
AgreementId = Path(..., ge=1, le=MAX_ID)


def _refused(exc: AgreementError) -> Exception:
    """A bad field is 422 naming it; a state that refuses (one current agreement, an ended
    agreement) is 409."""
    if exc.field and exc.field != "contact":
        return BatchRejected([item_error(None, exc.field, str(exc), "invalid")])
    return HttpError(409, str(exc))


def _agreements() -> QuerySet[Agreement]:
    return Agreement.objects.select_related("contact")


@router.get("/agreements", response=list[AgreementOut], operation_id="list_agreements")
@paginate(Page)
def list_agreements(request: HttpRequest, filters: Query[AgreementFilters]) -> QuerySet[Agreement]:
    """Agreements, the latest term first; filter by contact and status."""
    found = _agreements()
    if filters.contact_id:
        found = found.filter(contact_id=filters.contact_id)
    if filters.status:
        found = found.filter(status=filters.status)
    return found


@router.get("/agreements/{int:agreement_id}", response=AgreementOut, operation_id="get_agreement")
def get_agreement(request: HttpRequest, agreement_id: int = AgreementId) -> Agreement:
    return get_object_or_404(_agreements(), pk=agreement_id)


@router.post(
    "/agreements", response={201: AgreementOut, 409: ErrorOut}, operation_id="create_agreement"
)
def create(request: HttpRequest, payload: AgreementIn) -> Status[Agreement]:
    """Record an agreement (201): a draft, or active with `signed_on`; 409 when the contact
    already has a current one, 422 naming a bad field."""
    contact = get_object_or_404(Contact, pk=payload.contact_id)
    try:
        agreement = create_agreement(
            contact,
            scope=list(payload.scope),
            benefits=payload.benefits,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            signed_on=payload.signed_on,
            status=AgreementStatus.ACTIVE if payload.signed_on else AgreementStatus.DRAFT,
            actor=principal_of(request).user,
            now=as_of(payload.as_of),
        )
    except AgreementError as exc:
        raise _refused(exc) from None
    return Status(201, _agreements().get(pk=agreement.pk))


@router.patch(
    "/agreements/{int:agreement_id}",
    response={200: AgreementOut, 409: ErrorOut},
    operation_id="update_agreement",
)
def update(
    request: HttpRequest, payload: AgreementPatch, agreement_id: int = AgreementId
) -> Agreement:
    """Change a draft or active agreement; `signed_on` makes it active; 409 once it ended."""
    agreement = get_object_or_404(Agreement, pk=agreement_id)
    changes: dict[str, Any] = payload.dict(exclude_unset=True, exclude={"as_of"})
    if changes.get("signed_on"):
        changes["status"] = AgreementStatus.ACTIVE
    try:
        update_agreement(
            agreement, actor=principal_of(request).user, now=as_of(payload.as_of), **changes
        )
    except AgreementError as exc:
        raise _refused(exc) from None
    return _agreements().get(pk=agreement.pk)


@router.post(
    "/agreements/{int:agreement_id}/end",
    response={200: AgreementOut, 409: ErrorOut},
    operation_id="end_agreement",
)
def end(request: HttpRequest, payload: EndIn, agreement_id: int = AgreementId) -> Agreement:
    """End a draft or active agreement; 409 when it has ended already."""
    agreement = get_object_or_404(Agreement, pk=agreement_id)
    try:
        end_agreement(
            agreement,
            actor=principal_of(request).user,
            now=as_of(payload.as_of),
            reason=payload.reason,
        )
    except AgreementError as exc:
        raise _refused(exc) from None
    return _agreements().get(pk=agreement.pk)


@router.post(
    "/contacts/{int:contact_id}/opt-out", response=OptOutOut, operation_id="opt_out_contact"
)
def contact_opt_out(
    request: HttpRequest, payload: OptOutIn, contact_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Record the contact's opt-out: every open ask cancelled and the agreement ended, at once.

    Opting out again keeps the first date and changes nothing (`already_opted_out`)."""
    contact = get_object_or_404(Contact, pk=contact_id)
    result = opt_out(
        contact, now=as_of(payload.as_of), actor=principal_of(request).user, reason=payload.reason
    )
    return result.as_dict()
