"""/api/references: the reference desk. Reads need `read`, writes `references:write`.

Offers open a `reference_call` ask through the engine (409 when the tap cap refuses it, 422
when an exclusion applies); answers and outcomes move it through the pipeline. A move of a
request outside its transition table is refused with 409.
"""

from datetime import UTC, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Path, Query
from ninja.pagination import paginate
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.errors import BatchRejected, item_error
from advocacy.api.routers.reference_schemas import (
    CallIn,
    CallOut,
    CloseIn,
    OfferIn,
    OfferOut,
    OutcomeIn,
    ReferenceCandidateOut,
    RequestDetailOut,
    RequestFilters,
    RequestIn,
    RequestOut,
    RescheduleIn,
    ResponseIn,
    ResultIn,
    StatsFilters,
    StatsOut,
    TimeOut,
    TimesIn,
)
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, ErrorOut, Page, as_of
from advocacy.customers.models import Contact
from advocacy.engine.services import current_policy
from advocacy.references import services as desk
from advocacy.references.invite import filename, invite
from advocacy.references.models import Offer, ReferenceCall, ReferenceRequest
from advocacy.references.stats import desk_stats
from advocacy.references.times import offer_times

router = ScopedRouter(tags=["references"])
ID = Path(..., ge=1, le=MAX_ID)


def detailed() -> QuerySet[ReferenceRequest]:
    return ReferenceRequest.objects.prefetch_related("offers__contact", "calls__requests")


def calls() -> QuerySet[ReferenceCall]:
    return ReferenceCall.objects.prefetch_related("requests")


@router.get("/requests", response=list[RequestOut], operation_id="list_reference_requests")
@paginate(Page)
def list_requests(request: HttpRequest, filters: Query[RequestFilters]) -> Any:
    """Reference requests, the soonest needed first."""
    qs = ReferenceRequest.objects.order_by("needed_by", "id")
    return qs.filter(status=filters.status) if filters.status else qs


@router.post("/requests", response={201: RequestDetailOut}, operation_id="file_reference_request")
def file_request(request: HttpRequest, payload: RequestIn) -> Status[ReferenceRequest]:
    """File a reference request (201); 422 naming each bad field."""
    data = desk.RequestData(
        **payload.dict(exclude={"region", "size_band", "as_of"}),
        region=payload.region or "",
        size_band=payload.size_band or "",
    )
    made = desk.file_request(data, actor=principal_of(request).user, now=as_of(payload.as_of))
    return Status(201, detailed().get(pk=made.pk))


@router.get(
    "/requests/{int:request_id}", response=RequestDetailOut, operation_id="get_reference_request"
)
def get_request(request: HttpRequest, request_id: int = ID) -> ReferenceRequest:
    """One request with its offers and calls."""
    return get_object_or_404(detailed(), pk=request_id)


@router.get(
    "/requests/{int:request_id}/candidates",
    response=list[ReferenceCandidateOut],
    operation_id="reference_candidates",
)
def candidates(
    request: HttpRequest, request_id: int = ID, limit: int = Query(10, ge=1, le=50)
) -> list[dict[str, Any]]:
    """Ranked candidates that pass policy and caps now, each with the reasons for its rank."""
    found = get_object_or_404(ReferenceRequest, pk=request_id)
    ranked = desk.candidates(found, now=timezone.now(), policy=current_policy(), limit=limit)
    return [c.as_dict() for c in ranked]


@router.post(
    "/requests/{int:request_id}/offers",
    response={201: OfferOut, 409: ErrorOut},
    operation_id="offer_reference_request",
)
def offer(request: HttpRequest, payload: OfferIn, request_id: int = ID) -> Status[Offer]:
    """Offer the request to a contact: opens a sent `reference_call` ask (201); 409 when the
    tap cap refuses it or the request is not open; 422 when an exclusion applies."""
    found = get_object_or_404(ReferenceRequest, pk=request_id)
    contact = Contact.objects.filter(pk=payload.contact_id).first()
    if contact is None:
        message = f"no contact with id {payload.contact_id}"
        raise BatchRejected([item_error(None, "contact_id", message, "rejected")])
    made = desk.offer(
        found, contact, actor=principal_of(request).user, now=as_of(payload.as_of),
        policy=current_policy(), note=payload.note,
    )  # fmt: skip
    return Status(201, Offer.objects.select_related("contact").get(pk=made.pk))


@router.post(
    "/offers/{int:offer_id}/response",
    response={200: OfferOut, 409: ErrorOut},
    operation_id="answer_reference_offer",
)
def respond(request: HttpRequest, payload: ResponseIn, offer_id: int = ID) -> Offer:
    """Record the advocate's answer; a decline frees the request for the next candidate."""
    made = get_object_or_404(Offer.objects.select_related("request", "ask"), pk=offer_id)
    desk.respond(
        made, payload.accepted, actor=principal_of(request).user, now=as_of(payload.as_of),
        policy=current_policy(), note=payload.note,
    )  # fmt: skip
    return Offer.objects.select_related("contact").get(pk=made.pk)


@router.post(
    "/offers/{int:offer_id}/call",
    response={201: CallOut, 409: ErrorOut},
    operation_id="schedule_reference_call",
)
def schedule(request: HttpRequest, payload: CallIn, offer_id: int = ID) -> Status[ReferenceCall]:
    """Schedule the call of an accepted offer; `also` makes a group call of 2-4 requests."""
    made = get_object_or_404(Offer.objects.select_related("request", "ask"), pk=offer_id)
    also = list(ReferenceRequest.objects.filter(pk__in=payload.also))
    missing = sorted(set(payload.also) - {r.pk for r in also})
    if missing:
        message = f"no reference request with id {', '.join(map(str, missing))}"
        raise BatchRejected([item_error(None, "also", message, "rejected")])
    starts = payload.starts_at
    if starts.tzinfo is None:
        starts = starts.replace(tzinfo=UTC)
    now = as_of(payload.as_of)
    if abs(starts.year - now.year) > 2:
        raise desk.DeskError(f"the call must start within {desk.MAX_AHEAD.days} days")
    call = desk.schedule_call(
        made, starts_at=starts, duration_minutes=payload.duration_minutes, also=also,
        actor=principal_of(request).user, now=now,
    )  # fmt: skip
    return Status(201, calls().get(pk=call.pk))


@router.post(
    "/offers/{int:offer_id}/times",
    response={200: list[TimeOut], 409: ErrorOut},
    operation_id="offer_reference_times",
)
def times(request: HttpRequest, payload: TimesIn, offer_id: int = ID) -> list[Any]:
    """Offer the advocate of an accepted offer 1-5 times; they choose one in their portal and
    the call is scheduled at it. Answers every time still open."""
    made = get_object_or_404(Offer.objects.select_related("request", "ask"), pk=offer_id)
    now = as_of(payload.as_of)
    starts = [t if t.tzinfo is not None else t.replace(tzinfo=UTC) for t in payload.starts_at]
    if any(abs(t.year - now.year) > 2 for t in starts):
        raise desk.DeskError(f"every time must be within {desk.MAX_AHEAD.days} days")
    return offer_times(
        made, starts, duration_minutes=payload.duration_minutes,
        actor=principal_of(request).user, now=now,
    )  # fmt: skip


@router.get(
    "/calls/{int:call_id}/invite.ics",
    response={200: None},
    operation_id="reference_call_invite",
    openapi_extra={
        "responses": {
            200: {
                "description": "The calendar invite (RFC 5546 METHOD:REQUEST)",
                "content": {"text/calendar": {"schema": {"type": "string"}}},
            }
        }
    },
)
def call_invite(request: HttpRequest, call_id: int = ID) -> HttpResponse:
    """The call's calendar invite as an .ics file."""
    call = get_object_or_404(
        ReferenceCall.objects.select_related("contact__account", "organizer").prefetch_related(
            "requests__requested_by"
        ),
        pk=call_id,
    )
    response = HttpResponse(invite(call, now=timezone.now()), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="{filename(call)}"'
    return response


@router.post(
    "/calls/{int:call_id}/outcome",
    response={200: CallOut, 409: ErrorOut},
    operation_id="record_reference_call_outcome",
)
def outcome(request: HttpRequest, payload: OutcomeIn, call_id: int = ID) -> ReferenceCall:
    """Held: the requests complete. No-show or cancelled: they are open again."""
    call = get_object_or_404(ReferenceCall, pk=call_id)
    desk.record_outcome(
        call, payload.outcome, rating=payload.rating, notes=payload.notes,
        actor=principal_of(request).user, now=as_of(payload.as_of), policy=current_policy(),
    )  # fmt: skip
    return calls().get(pk=call.pk)


@router.post(
    "/calls/{int:call_id}/reschedule",
    response={200: CallOut, 409: ErrorOut},
    operation_id="reschedule_reference_call",
)
def reschedule(request: HttpRequest, payload: RescheduleIn, call_id: int = ID) -> ReferenceCall:
    """Move a scheduled call: its invite goes again to the advocate, the sellers and the
    prospects, the same UID with a higher SEQUENCE."""
    call = get_object_or_404(ReferenceCall, pk=call_id)
    starts = payload.starts_at
    if starts.tzinfo is None:
        starts = starts.replace(tzinfo=UTC)
    now = as_of(payload.as_of)
    if abs(starts.year - now.year) > 2:
        raise desk.DeskError(f"the call must start within {desk.MAX_AHEAD.days} days")
    desk.reschedule_call(
        call, starts_at=starts, duration_minutes=payload.duration_minutes,
        actor=principal_of(request).user, now=now,
    )  # fmt: skip
    return calls().get(pk=call.pk)


@router.post(
    "/requests/{int:request_id}/result",
    response={200: RequestDetailOut},
    operation_id="record_opportunity_result",
)
def result(request: HttpRequest, payload: ResultIn, request_id: int = ID) -> ReferenceRequest:
    """Record the opportunity's result: open, won or lost."""
    found = get_object_or_404(ReferenceRequest, pk=request_id)
    desk.record_result(found, payload.result, now=as_of(payload.as_of))
    return detailed().get(pk=found.pk)


@router.post(
    "/requests/{int:request_id}/close",
    response={200: RequestDetailOut, 409: ErrorOut},
    operation_id="close_reference_request",
)
def close(request: HttpRequest, payload: CloseIn, request_id: int = ID) -> ReferenceRequest:
    """Close a request as unfilled or cancelled (409 from a state that does not allow it)."""
    found = get_object_or_404(ReferenceRequest, pk=request_id)
    desk.close_request(found, payload.status, now=as_of(payload.as_of))
    return detailed().get(pk=found.pk)


@router.get("/stats", response=StatsOut, operation_id="reference_desk_stats")
def stats(request: HttpRequest, filters: Query[StatsFilters]) -> dict[str, Any]:
    """Fill rate and time-to-fill per industry, region and size band, with the alerts."""
    now = timezone.now()
    return desk_stats(start=now - timedelta(days=filters.days), end=now, now=now).as_dict()
