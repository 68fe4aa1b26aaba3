"""/api/contacts/{id}/portal-link and /api/notices: the staff side of the advocate portal.

A portal link opens one contact's portal once (`customers:write`, and the role that may send
one); it is answered once and never stored by the program, except as the stored answer of an
Idempotency-Key. Notices are what advocates did in the portal, for the team (`read`).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Path, Query
from ninja.errors import HttpError
from ninja.pagination import paginate

from advocacy.api.auth import principal_of
from advocacy.api.routers.portal_schemas import (
    NoticeFilters,
    NoticeOut,
    PortalLinkIn,
    PortalLinkOut,
)
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, ErrorOut, Page
from advocacy.customers.models import Contact
from advocacy.messaging.portal_links import CannotIssue, issue_portal_link
from advocacy.people.models import Via
from advocacy.pipeline.notices import Notice

router = ScopedRouter(tags=["portal"])


@router.post(
    "/contacts/{int:contact_id}/portal-link",
    response={200: PortalLinkOut, 409: ErrorOut},
    operation_id="issue_portal_link",
)
def portal_link(
    request: HttpRequest, payload: PortalLinkIn, contact_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """A fresh magic link to the contact's portal, to send by hand: it opens once, for
    ADVOCACY_PORTAL_LINK_DAYS. Refused (409) for someone who left the company."""
    contact = get_object_or_404(Contact, pk=contact_id)
    principal = principal_of(request)
    try:
        issued = issue_portal_link(
            contact,
            actor=principal.user,
            via=Via.API,
            now=timezone.now(),
            ask_id=payload.ask_id,
            ip=request.META.get("REMOTE_ADDR") or None,
            key_prefix="" if principal.key is None else principal.key.prefix,
        )
    except CannotIssue as exc:
        raise HttpError(409, str(exc)) from None
    return issued.as_dict()


@router.get("/notices", response=list[NoticeOut], operation_id="list_notices")
@paginate(Page)
def list_notices(request: HttpRequest, filters: Query[NoticeFilters]) -> QuerySet[Notice]:
    """What advocates did in the portal, newest first: for the team's work queues, and for
    the outbox to deliver (`undelivered`)."""
    found = Notice.objects.select_related("recipient")
    if filters.mine:
        found = found.for_user(principal_of(request).user)
    if filters.contact_id is not None:
        found = found.filter(contact_id=filters.contact_id)
    if filters.kind is not None:
        found = found.filter(kind=filters.kind)
    if filters.undelivered:
        found = found.undelivered()
    return found.order_by("-at", "-id")
