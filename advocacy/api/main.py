"""The one NinjaAPI: it collects a router per area and maps domain errors to HTTP once.

Every error answer is JSON `{"detail": ...}`. Routers raise nothing HTTP-specific beyond
`HttpError`; services raise their domain exceptions, translated here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from advocacy.api.auditing import audited
from advocacy.api.auth import NO_CREDENTIALS
from advocacy.api.errors import BatchRejected, describe_validation_errors, item_error
from advocacy.api.idempotency import idempotent
from advocacy.api.routers.accounts import router as accounts_router
from advocacy.api.routers.advocates import router as advocates_router
from advocacy.api.routers.agreements import router as agreements_router
from advocacy.api.routers.asks import router as asks_router
from advocacy.api.routers.connectors import router as connectors_router
from advocacy.api.routers.contacts import router as contacts_router
from advocacy.api.routers.content import router as content_router
from advocacy.api.routers.guards import router as guards_router
from advocacy.api.routers.imports import router as imports_router
from advocacy.api.routers.jobs import router as jobs_router
from advocacy.api.routers.messages import router as messages_router
from advocacy.api.routers.metrics import router as metrics_router
from advocacy.api.routers.plays import router as plays_router
from advocacy.api.routers.portal import router as portal_router
from advocacy.api.routers.privacy import router as privacy_router
from advocacy.api.routers.process import router as process_router
from advocacy.api.routers.queue import router as queue_router
from advocacy.api.routers.recognition import router as recognition_router
from advocacy.api.routers.references import router as references_router
from advocacy.api.routers.referrals import router as referrals_router
from advocacy.api.routers.reviews import router as reviews_router
from advocacy.api.routers.rewards import router as rewards_router
from advocacy.api.routers.search import router as search_router
from advocacy.api.routers.signals import router as signals_router
from advocacy.api.routers.slack import router as slack_router
from advocacy.api.routers.users import router as users_router
from advocacy.api.routers.value import router as value_router
from advocacy.api.routers.webhooks import router as webhooks_router
from advocacy.content.services import ContentError, InvalidAssetTransition, UseRefused
from advocacy.core.jobs import Throttled
from advocacy.core.lockout import LockoutError
from advocacy.engine.asks import CapExceeded
from advocacy.engine.plays import PlaybookError
from advocacy.engine.services import Excluded
from advocacy.metrics.periods import PeriodError
from advocacy.metrics.scorecard import ScorecardError
from advocacy.people.services import PeopleError
from advocacy.pipeline.checklists import ChecklistError, StepRefused
from advocacy.pipeline.services import InvalidTransition
from advocacy.references.services import DeskError, InvalidRequestData
from advocacy.signals.imports import ImportFileError

api = NinjaAPI(
    title="advocacy",
    version="1",
    urls_namespace="api",
    description=(
        "The REST API of advocacy. Authenticate with `Authorization: Bearer <API key>`; "
        "every operation names the scope it needs. Writes honour an `Idempotency-Key` header."
    ),
)
api.add_decorator(idempotent, mode="view")
api.add_decorator(audited, mode="view")  # outermost: a replay is not logged twice
api.add_router("/accounts", accounts_router)
api.add_router("/contacts", contacts_router)
api.add_router("/signals", signals_router)
api.add_router("/imports", imports_router)
api.add_router("/jobs", jobs_router)
api.add_router("/plays", plays_router)
api.add_router("/asks", asks_router)
api.add_router("/content", content_router)
api.add_router("/references", references_router)
api.add_router("/rewards", rewards_router)
api.add_router("/referrals", referrals_router)
api.add_router("/recognition", recognition_router)
api.add_router("/value", value_router)
api.add_router("", advocates_router)  # /advocates and /contacts/{id}/next-best-asks
api.add_router("", guards_router)  # /asks/guard, /asks/{id}/pause|resume|replacements|reassign
api.add_router("", agreements_router)  # /agreements and /contacts/{id}/opt-out
api.add_router("", process_router)  # /routing-rules, /checklists, /asks/{id}/checklist
api.add_router("", privacy_router)  # /contacts/{id}/export and /contacts/{id}/erase
api.add_router("", portal_router)  # /contacts/{id}/portal-link and /notices
api.add_router("", queue_router)  # /queue
api.add_router("/search", search_router)
api.add_router("/metrics", metrics_router)
api.add_router("", users_router)  # /users, /keys and /audit
api.add_router("", connectors_router)  # /connections and /inbox
api.add_router("", slack_router)  # /slack/posts
api.add_router("", webhooks_router)  # /webhooks and /webhooks/deliveries
api.add_router("", reviews_router)  # /reviews/import
api.add_router("", messages_router)  # /messages and /asks/{id}/email, /asks/{id}/email/test


def _detail(request: HttpRequest, detail: Any, status: int) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = exc.message if exc.message != "Unauthorized" else NO_CREDENTIALS
    response = _detail(request, message, 401)
    response["WWW-Authenticate"] = 'Bearer realm="advocacy"'
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _detail(request, exc.message, exc.status_code)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _detail(request, describe_validation_errors(exc.errors), 422)


@api.exception_handler(BatchRejected)
def _rejected(request: HttpRequest, exc: BatchRejected) -> HttpResponse:
    return _detail(request, exc.errors, 422)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _detail(request, str(exc) or "not found", 404)


@api.exception_handler(ObjectDoesNotExist)
def _does_not_exist(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _detail(request, str(exc) or "not found", 404)


@api.exception_handler(DjangoValidationError)
def _django_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return _detail(request, "; ".join(exc.messages), 422)


# Domain refusals map to HTTP once. A handler is found by the exception's class, most specific
# first, so a subclass registered in the other group (AskPaused is an InvalidTransition) wins.
@api.exception_handler(PeopleError)
@api.exception_handler(LockoutError)
@api.exception_handler(ImportFileError)
@api.exception_handler(PeriodError)
@api.exception_handler(ScorecardError)
@api.exception_handler(ChecklistError)
@api.exception_handler(ContentError)
@api.exception_handler(InvalidRequestData)
def _refused(request: HttpRequest, exc: Exception) -> HttpResponse:
    """What was asked cannot be: 422 with the reason."""
    return _detail(request, str(exc), 422)


@api.exception_handler(CapExceeded)
def _capped(request: HttpRequest, exc: CapExceeded) -> HttpResponse:
    """A tap cap refuses it (409), with the code of the cap."""
    return api.create_response(request, {"detail": str(exc), "code": exc.code}, status=409)


@api.exception_handler(InvalidTransition)
@api.exception_handler(StepRefused)
@api.exception_handler(InvalidAssetTransition)
@api.exception_handler(UseRefused)
@api.exception_handler(DeskError)
def _conflict(request: HttpRequest, exc: Exception) -> HttpResponse:
    """It conflicts with the state things are in (a cap, a move, a consent): 409."""
    return _detail(request, str(exc), 409)


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    """The key started as many jobs as ADVOCACY_JOB_RATE allows: 429, and when to retry."""
    response = _detail(request, str(exc), 429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Excluded)
def _excluded(request: HttpRequest, exc: Excluded) -> HttpResponse:
    errors = [
        item_error(
            None,
            "contact_id",
            f"{exc.email} may not be asked for {exc.ask_type}: {name} "
            "(give an override_reason to ask anyway)",
            code,
        )
        for name, code in zip(exc.names, exc.codes, strict=True)
    ]
    return _detail(request, errors, 422)


@api.exception_handler(PlaybookError)
def _bad_playbook(request: HttpRequest, exc: PlaybookError) -> HttpResponse:
    body = {
        "detail": f"the playbook has {len(exc.errors)} error(s); nothing was loaded",
        "errors": [vars(error) for error in exc.errors],
    }
    return api.create_response(request, body, status=422)
