"""/api/asks/…/pause, resume, replacements, reassign and /api/asks/guard (`asks:write`).

A paused ask keeps its status and may only be cancelled until resumed; the guards pause asks
of advocates who left, had a support issue or became dissatisfied, resume them when that is
over, and cancel the asks of those who opted out (advocacy.engine.guards).
"""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Path
from ninja.errors import HttpError

from advocacy.api.auth import principal_of
from advocacy.api.routers.ask_schemas import AskDetailOut
from advocacy.api.routers.asks import asks, with_history
from advocacy.api.routers.guard_schemas import (
    GuardIn,
    GuardOut,
    PauseIn,
    ReassignIn,
    ReassignOut,
    ReplacementOut,
    ResumeIn,
)
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, ErrorOut, as_of
from advocacy.customers.models import Contact
from advocacy.engine.guards import ReassignRefused, reassign_ask, run_guards, suggest_replacements
from advocacy.engine.services import current_policy
from advocacy.pipeline.models import Ask
from advocacy.pipeline.pausing import PauseRefused, pause_ask, resume_ask

router = ScopedRouter(tags=["asks"])
AskId = Path(..., ge=1, le=MAX_ID)


@router.post("/asks/guard", response=GuardOut, operation_id="run_guards")
def guard(request: HttpRequest, payload: GuardIn) -> dict[str, object]:
    """Apply the guards to every open ask now (or as of `as_of`): pause, resume, cancel."""
    now = as_of(payload.as_of)
    return run_guards(now=now, policy=current_policy()).as_dict()


@router.post(
    "/asks/{int:ask_id}/pause",
    response={200: AskDetailOut, 409: ErrorOut},
    operation_id="pause_ask",
)
def pause(request: HttpRequest, payload: PauseIn, ask_id: int = AskId) -> Ask:
    """Put an open ask on hold with a reason (it keeps its status); 409 if closed or paused."""
    ask = get_object_or_404(Ask, pk=ask_id)
    try:
        pause_ask(ask, payload.reason, actor=principal_of(request).user, now=as_of(payload.as_of))
    except PauseRefused as exc:
        raise HttpError(409, str(exc)) from None
    return with_history().get(pk=ask.pk)


@router.post(
    "/asks/{int:ask_id}/resume",
    response={200: AskDetailOut, 409: ErrorOut},
    operation_id="resume_ask",
)
def resume(request: HttpRequest, payload: ResumeIn, ask_id: int = AskId) -> Ask:
    """Take a paused ask off hold; 409 when it is not paused."""
    ask = get_object_or_404(Ask, pk=ask_id)
    try:
        resume_ask(
            ask, actor=principal_of(request).user, now=as_of(payload.as_of), note=payload.note
        )
    except PauseRefused as exc:
        raise HttpError(409, str(exc)) from None
    return with_history().get(pk=ask.pk)


@router.get(
    "/asks/{int:ask_id}/replacements",
    response=list[ReplacementOut],
    operation_id="ask_replacements",
)
def replacements(request: HttpRequest, ask_id: int = AskId) -> list[dict[str, object]]:
    """Colleagues at the same account who could take the ask over, best first, with why."""
    ask = get_object_or_404(asks().select_related("contact__account"), pk=ask_id)
    found = suggest_replacements(ask, now=timezone.now(), policy=current_policy())
    return [c.as_dict() for c in found]


@router.post(
    "/asks/{int:ask_id}/reassign",
    response={200: ReassignOut, 409: ErrorOut},
    operation_id="reassign_ask",
)
def reassign(request: HttpRequest, payload: ReassignIn, ask_id: int = AskId) -> dict[str, object]:
    """Cancel the ask and open it for a colleague (proposed); 409 when a cap or the state
    refuses, 422 when the replacement is excluded or from another account."""
    ask = get_object_or_404(asks().select_related("contact__account"), pk=ask_id)
    replacement = get_object_or_404(Contact, pk=payload.contact_id)
    try:
        done = reassign_ask(
            ask,
            replacement,
            actor=principal_of(request).user,
            now=as_of(payload.as_of),
            policy=current_policy(),
            note=payload.note,
        )
    except ReassignRefused as exc:
        raise HttpError(422, str(exc)) from None
    return {"cancelled": asks().get(pk=ask.pk), "opened": with_history().get(pk=done.new.pk)}
