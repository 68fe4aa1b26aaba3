"""/api/advocates: who is ready for what; /api/contacts/{id}/next-best-asks: and why.

The advocates list reads the stored profiles (ContactProfile), refreshed by the engine's runs or
by POST /api/advocates/refresh (`plays:run`; a job, since it profiles every contact). The next
best asks are computed live, as of now or of any moment.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Path, Query
from ninja.pagination import paginate
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.routers.advocate_schemas import (
    AdvocateFilters,
    AdvocateOut,
    AsOfQuery,
    ExplanationOut,
)
from advocacy.api.routers.jobs import STARTED, STARTED_HEADERS, accepted, key_prefix
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, Page
from advocacy.core.models import Job
from advocacy.customers.models import Contact
from advocacy.engine.explain import next_best_asks
from advocacy.engine.jobs import start_profile_refresh
from advocacy.engine.models import ContactProfile
from advocacy.engine.services import current_policy

router = ScopedRouter(tags=["advocates"])


@router.get("/advocates", response=list[AdvocateOut], operation_id="list_advocates")
@paginate(Page)
def list_advocates(
    request: HttpRequest, filters: Query[AdvocateFilters]
) -> QuerySet[ContactProfile]:
    """Contacts with their stage, rung and the asks they are ready for, by name."""
    profiles = ContactProfile.objects.select_related("contact__account").order_by(
        "contact__last_name", "contact__first_name", "contact_id"
    )
    given = {
        "stage": filters.stage,
        "rung": filters.rung,
        "contact__persona": filters.persona,
        "contact__account__industry__iexact": filters.industry,
        "contact__account__region": filters.region,
        "contact__account__size_band": filters.size_band,
    }
    profiles = profiles.filter(**{lookup: value for lookup, value in given.items() if value})
    if filters.ready_for:
        # `ready` is "code,code,": match a whole code, never the tail of a longer one.
        code = filters.ready_for
        profiles = profiles.filter(Q(ready__startswith=f"{code},") | Q(ready__contains=f",{code},"))
    return profiles


@router.post(
    "/advocates/refresh",
    response=STARTED,
    operation_id="refresh_advocates",
    openapi_extra=STARTED_HEADERS,
)
def refresh_advocates(request: HttpRequest, response: HttpResponse) -> Status[Job]:
    """Recompute every contact's stored profile as of now: 202 with the job doing it; once
    done its `result` holds `refreshed` (how many) and `as_of`."""
    job = start_profile_refresh(
        now=timezone.now(), actor=principal_of(request).user, api_key=key_prefix(request)
    )
    return accepted(response, job)


@router.get(
    "/contacts/{int:contact_id}/next-best-asks",
    response=ExplanationOut,
    operation_id="next_best_asks",
)
def get_next_best_asks(
    request: HttpRequest, query: Query[AsOfQuery], contact_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Every ask type ranked for this contact, ready ones first, each with its reasons."""
    contact = get_object_or_404(Contact, pk=contact_id)
    now = query.as_of or timezone.now()
    return next_best_asks(contact, now=now, policy=current_policy()).as_dict()
