"""/api/contacts: list, search and read contacts; create or update one or many."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Path, Query
from ninja.pagination import paginate
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.errors import BatchRejected, item_error
from advocacy.api.routers.customer_schemas import (
    ContactBatchIn,
    ContactFilters,
    ContactIn,
    ContactOut,
    NominationIn,
    NominationOut,
    NominationRowOut,
)
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, BatchOut, Page, as_of
from advocacy.api.writes import contact_ids, counts, write_all_or_nothing
from advocacy.customers.models import Contact
from advocacy.customers.services import upsert_contacts
from advocacy.signals.nominations import NominationRefused, nominate, nominations_of

router = ScopedRouter(tags=["contacts"])


@router.get("", response=list[ContactOut], operation_id="list_contacts")
@paginate(Page)
def list_contacts(request: HttpRequest, filters: Query[ContactFilters]) -> QuerySet[Contact]:
    """List contacts by name, optionally searched (`q`) and filtered."""
    contacts = Contact.objects.search(filters.q).prefetch_related("identities")
    if filters.account_id is not None:
        contacts = contacts.filter(account_id=filters.account_id)
    if filters.persona:
        contacts = contacts.filter(persona=filters.persona)
    return contacts


@router.get("/{int:contact_id}", response=ContactOut, operation_id="get_contact")
def get_contact(request: HttpRequest, contact_id: int = Path(..., ge=1, le=MAX_ID)) -> Contact:
    """One contact by id."""
    return get_object_or_404(Contact.objects.prefetch_related("identities"), pk=contact_id)


@router.post("", response={200: ContactOut, 201: ContactOut}, operation_id="upsert_contact")
def upsert_contact(request: HttpRequest, payload: ContactIn) -> Status[Contact]:
    """Create a contact (201), or update the one with this email or external id (200)."""
    record = payload.to_record()
    result, (written_id,) = write_all_or_nothing(
        upsert_contacts,
        contact_ids,
        [record],
        actor=principal_of(request).user,
        now=timezone.now(),
        batch=False,
    )
    contact = Contact.objects.prefetch_related("identities").get(pk=written_id)
    return Status(201 if result.created else 200, contact)


@router.post("/batch", response={201: BatchOut}, operation_id="upsert_contacts")
def upsert_contact_batch(request: HttpRequest, payload: ContactBatchIn) -> Status[dict[str, Any]]:
    """Create or update up to 1,000 contacts at once: all of them, or none if one is refused."""
    records = [item.to_record() for item in payload.items]
    result, ids = write_all_or_nothing(
        upsert_contacts,
        contact_ids,
        records,
        actor=principal_of(request).user,
        now=timezone.now(),
        batch=True,
    )
    return Status(201, counts(result, ids))


@router.post(
    "/{int:contact_id}/nominations",
    response={200: NominationOut, 201: NominationOut},
    operation_id="nominate_contact",
)
def nominate_contact(
    request: HttpRequest, payload: NominationIn, contact_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[dict[str, Any]]:
    """Nominate the contact as an advocate, with the reason (201; 200 when this same
    nomination was already recorded). It is a `csm_nomination` signal the plays start from;
    422 for a person who opted out or left."""
    contact = get_object_or_404(Contact, pk=contact_id)
    try:
        found = nominate(
            contact,
            reason=payload.reason,
            actor=principal_of(request).user,
            now=as_of(payload.as_of),
        )
    except NominationRefused as exc:
        raise BatchRejected([item_error(None, "reason", str(exc), "refused")]) from None
    return Status(201 if found.created else 200, found.as_dict())


@router.get(
    "/{int:contact_id}/nominations",
    response=list[NominationRowOut],
    operation_id="list_nominations",
)
def list_nominations(
    request: HttpRequest, contact_id: int = Path(..., ge=1, le=MAX_ID)
) -> list[dict[str, Any]]:
    """The contact's nominations, newest first."""
    contact = get_object_or_404(Contact, pk=contact_id)
    return [
        {
            "id": s.pk,
            "contact_id": s.contact_id,
            "reason": s.text,
            "nominated_by": (s.payload or {}).get("by"),
            "occurred_at": s.occurred_at,
        }
        for s in nominations_of(contact)
    ]
