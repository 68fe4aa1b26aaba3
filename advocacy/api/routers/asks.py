"""/api/asks: the asks the plays (and people) opened; open one by hand (`asks:write`).

Moves go through advocacy.engine.pipeline_flow (the transition table is enforced there, 409
naming the allowed moves otherwise); a decline offers the play's fallback ask.
A manual ask goes through the same way in as a play's (advocacy.engine.asks.open_asks): the
contact's exclusions and the tap cap hold, unless an override reason is given, which is recorded.
"""

from typing import Annotated

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Path, Query
from ninja.pagination import paginate
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.errors import BatchRejected, item_error
from advocacy.api.routers.ask_schemas import (
    AskDetailOut,
    AskFilters,
    AskIn,
    AskOut,
    BulkAskIn,
    BulkAskOut,
    BulkAssignIn,
    BulkAssignOut,
    DeclineIn,
    DeclineOut,
    SavedViewIn,
    SavedViewOut,
    TransitionIn,
)
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, NO_NUL, ErrorOut, Page, as_of
from advocacy.customers.models import Contact
from advocacy.engine.bulk import ask_many
from advocacy.engine.pipeline_flow import decline_ask, move_ask
from advocacy.engine.services import current_policy, open_manual_ask
from advocacy.people.models import User
from advocacy.pipeline.board import (
    VIEW_NAME_MAX,
    AskFilter,
    FilterError,
    SavedView,
    remove_view,
    save_view,
    view_named,
    views_of,
)
from advocacy.pipeline.models import Ask, AskType
from advocacy.pipeline.services import assign_asks

router = ScopedRouter(tags=["asks"])
ViewName = Annotated[str, Path(min_length=1, max_length=VIEW_NAME_MAX, pattern=NO_NUL)]


def asks() -> QuerySet[Ask]:
    return Ask.objects.select_related("contact", "ask_type")


def with_history() -> QuerySet[Ask]:
    return asks().prefetch_related("events", "cap_overrides")


def resolve(payload: AskIn) -> tuple[Contact, AskType]:
    """The contact and the active ask type a manual ask names; 422 naming each unknown one."""
    contact = Contact.objects.filter(pk=payload.contact_id).first()
    ask_type = AskType.objects.filter(code=payload.ask_type, active=True).first()
    errors = []
    if contact is None:
        message = f"no contact with id {payload.contact_id}"
        errors.append(item_error(None, "contact_id", message, "rejected"))
    if ask_type is None:
        message = f"no active ask type {payload.ask_type!r}"
        errors.append(item_error(None, "ask_type", message, "rejected"))
    if contact is None or ask_type is None:
        raise BatchRejected(errors)
    return contact, ask_type


@router.get("", response=list[AskOut], operation_id="list_asks")
@paginate(Page)
def list_asks(request: HttpRequest, filters: Query[AskFilters]) -> QuerySet[Ask]:
    """Asks, newest first; filter by status, play, contact, ask type, owner, due date, pause,
    send window, or one of your saved views."""
    now = timezone.now()
    found = asks()
    user = principal_of(request).user
    try:
        if filters.view:
            found = view_named(user, filters.view).filter.apply(found, user=user, now=now)
        narrowed = AskFilter(
            owner=filters.owner or "", role=filters.owner_role or "", due=filters.due or ""
        )
        narrowed.check()
    except FilterError as exc:
        raise _rejected(exc) from None
    found = narrowed.apply(found, user=user, now=now)
    given = {
        "status": filters.status,
        "play": filters.play,
        "contact_id": filters.contact_id,
        "ask_type__code": filters.ask_type,
    }
    found = found.filter(**{k: v for k, v in given.items() if v})
    if filters.paused is not None:
        found = found.filter(paused_at__isnull=not filters.paused)
    if filters.missed_window is not None:
        missed = Ask.objects.missed_send_window(now).values("pk")
        found = (
            found.filter(pk__in=missed) if filters.missed_window else found.exclude(pk__in=missed)
        )
    return found.order_by("-opened_at", "-id")


def _rejected(exc: FilterError) -> BatchRejected:
    """A filter that cannot apply, as the 422 of bad input naming its field."""
    return BatchRejected([item_error(None, exc.field, str(exc), "rejected")])


def _view_out(view: SavedView) -> dict[str, object]:
    return {
        "name": view.name,
        "filters": view.filters,
        "created_at": view.created_at,
        "updated_at": view.updated_at,
    }


@router.get("/views", response=list[SavedViewOut], operation_id="list_ask_views")
def list_views(request: HttpRequest) -> list[dict[str, object]]:
    """Your saved views of the pipeline, by name."""
    return [_view_out(v) for v in views_of(principal_of(request).user)]


@router.put("/views/{name}", response=SavedViewOut, operation_id="save_ask_view")
def save(request: HttpRequest, payload: SavedViewIn, name: ViewName) -> dict[str, object]:
    """Save a filter set under `name` for you; a view of that name is replaced."""
    try:
        found = AskFilter.from_data(payload.filters.dict())
        view = save_view(principal_of(request).user, name, found, now=timezone.now())
    except FilterError as exc:
        raise _rejected(exc) from None
    return _view_out(view)


@router.delete("/views/{name}", response={204: None}, operation_id="remove_ask_view")
def remove(request: HttpRequest, name: ViewName) -> Status[None]:
    """Remove one of your saved views (404 naming those you have when there is none)."""
    try:
        remove_view(principal_of(request).user, name)
    except FilterError as exc:
        raise Http404(str(exc)) from None
    return Status(204, None)


@router.get("/{int:ask_id}", response=AskDetailOut, operation_id="get_ask")
def get_ask(request: HttpRequest, ask_id: int = Path(..., ge=1, le=MAX_ID)) -> Ask:
    """One ask with its events and any cap override."""
    return get_object_or_404(with_history(), pk=ask_id)


@router.post("", response={201: AskDetailOut, 409: ErrorOut}, operation_id="open_ask")
def open_ask(request: HttpRequest, payload: AskIn) -> Status[Ask]:
    """Open an ask by hand (201); 409 when the tap cap refuses it, 422 when excluded."""
    contact, ask_type = resolve(payload)
    ask = open_manual_ask(
        contact,
        ask_type,
        now=as_of(payload.as_of),
        actor=principal_of(request).user,
        policy=current_policy(),
        note=payload.note,
        override_reason=payload.override_reason,
    )
    return Status(201, with_history().get(pk=ask.pk))


@router.post("/bulk", response={200: BulkAskOut}, operation_id="open_asks_bulk")
def open_bulk(request: HttpRequest, payload: BulkAskIn) -> dict[str, object]:
    """Ask many contacts by hand: each the rules and caps allow is asked; each other one is
    listed in `refused` with the reason code and words. 422 names unknown contacts."""
    ask_type = AskType.objects.filter(code=payload.ask_type, active=True).first()
    wanted = list(dict.fromkeys(payload.contact_ids))
    found = {c.pk: c for c in Contact.objects.filter(pk__in=wanted)}
    errors = [
        item_error(None, "contact_ids", f"no contact with id {pk}", "rejected")
        for pk in wanted
        if pk not in found
    ]
    if ask_type is None:
        message = f"no active ask type {payload.ask_type!r}"
        errors.append(item_error(None, "ask_type", message, "rejected"))
    if errors or ask_type is None:
        raise BatchRejected(errors)
    result = ask_many(
        [found[pk] for pk in wanted],
        ask_type,
        now=as_of(payload.as_of),
        actor=principal_of(request).user,
        policy=current_policy(),
        note=payload.note,
    )
    return result.as_dict()


@router.post("/assign", response={200: BulkAssignOut}, operation_id="assign_asks")
def assign(request: HttpRequest, payload: BulkAssignIn) -> dict[str, object]:
    """Give several asks to one user (each recorded as an event; the owner is told once)."""
    wanted = list(dict.fromkeys(payload.ask_ids))
    found = list(Ask.objects.filter(pk__in=wanted).order_by("pk"))
    owner = User.objects.filter(username=payload.owner, is_active=True).first()
    known = {a.pk for a in found}
    errors = [
        item_error(None, "ask_ids", f"no ask with id {pk}", "rejected")
        for pk in wanted
        if pk not in known
    ]
    if owner is None:
        errors.append(item_error(None, "owner", f"no active user {payload.owner!r}", "rejected"))
    if errors or owner is None:
        raise BatchRejected(errors)
    assign_asks(
        found, owner, actor=principal_of(request).user, now=as_of(payload.as_of), note=payload.note
    )
    return {"ids": [a.pk for a in found], "owner": owner.get_username()}


@router.post(
    "/{int:ask_id}/transitions",
    response={200: AskDetailOut, 409: ErrorOut},
    operation_id="move_ask",
)
def transition(
    request: HttpRequest, payload: TransitionIn, ask_id: int = Path(..., ge=1, le=MAX_ID)
) -> Ask:
    """Move an ask to another state (200); 409 when the move is not allowed from its state.

    Moving to `declined` also offers the play's fallback ask, as `/decline` does.
    """
    ask = get_object_or_404(Ask, pk=ask_id)
    move_ask(
        ask,
        payload.to,
        actor=principal_of(request).user,
        now=as_of(payload.as_of),
        policy=current_policy(),
        note=payload.note,
    )
    return with_history().get(pk=ask.pk)


@router.post(
    "/{int:ask_id}/decline", response={200: DeclineOut, 409: ErrorOut}, operation_id="decline_ask"
)
def decline(
    request: HttpRequest, payload: DeclineIn, ask_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, object]:
    """Record that the advocate declined a sent ask, and offer the play's fallback ask."""
    ask = get_object_or_404(Ask, pk=ask_id)
    result = decline_ask(
        ask,
        actor=principal_of(request).user,
        now=as_of(payload.as_of),
        policy=current_policy(),
        note=payload.note,
    )
    return {
        "ask": with_history().get(pk=ask.pk),
        "fallback": asks().get(pk=result.fallback.pk) if result.fallback else None,
        "fallback_outcome": result.fallback_outcome,
        "detail": result.detail,
    }
