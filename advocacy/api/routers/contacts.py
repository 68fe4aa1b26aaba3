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
from advocacy.api.routers.customer_schemas import (
    ContactBatchIn,
    ContactFilters,
    ContactIn,
    ContactOut,
)
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, BatchOut, Page
from advocacy.api.writes import contact_ids, counts, write_all_or_nothing
from advocacy.customers.models import Contact
from advocacy.customers.services import upsert_contacts

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
