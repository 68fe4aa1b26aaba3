"""/api/value: value moments (docs/value-moments.md): previews, sends, the year in review,
the reciprocity balance and the weekly opt-in.

A send to everyone and the year's PDF are jobs (202 with the job; the PDF at its
`artefact_url`). A period not over, or one that names no period, is 422 and starts nothing.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.routers.jobs import STARTED, STARTED_HEADERS, accepted, key_prefix
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, AsOf, AsOfIn, Id, as_of
from advocacy.core.models import Job
from advocacy.customers.models import Account, Contact
from advocacy.engine.reciprocity import balances
from advocacy.value import services, wrapped
from advocacy.value.jobs import start_send, start_wrapped_pdf
from advocacy.value.services import MomentError

router = ScopedRouter(tags=["value"])
Kind = Literal["monthly", "weekly", "wrapped", "account_wrapped"]
IdPath = Path(..., ge=1, le=MAX_ID)
PERIOD = r"^(\d{4}(-\d{2}|-W\d{2})?)?$"  # 2026-11, 2026-W48, 2026, or empty: the last over


class PeriodQuery(Schema):
    period: str = Field(
        "", pattern=PERIOD, description="2026-11, 2026-W48 or 2026; default: the last over."
    )
    as_of: AsOf | None = Field(None, description="As of this moment (default: now).")


class MomentPreviewOut(Schema):
    kind: str
    period: str
    to: str
    subject: str
    text: str
    html: str


class SendIn(AsOfIn):
    period: str = Field("", pattern=PERIOD, description="Default: the last period over.")


class WrappedPdfIn(AsOfIn):
    kind: Literal["wrapped", "account_wrapped"]
    contact_id: Id | None = Field(None, description="An advocate's year.")
    account_id: Id | None = Field(None, description="An account's year.")
    year: str = Field("", pattern=r"^(\d{4})?$", description="Default: the last year over.")


class ReciprocityOut(Schema):
    contact_id: int
    given: int
    asked: int
    balance: int
    as_of: Any


class WeeklyIn(Schema):
    weekly: bool


class WeeklyOut(Schema):
    contact_id: int
    weekly: bool


def _refused(exc: Exception) -> HttpError:
    return HttpError(422, str(exc))


@router.get(
    "/{kind}/preview/{int:contact_id}",
    response=MomentPreviewOut,
    operation_id="preview_value_moment",
)
def preview(
    request: HttpRequest, kind: Kind, filters: Query[PeriodQuery], contact_id: int = IdPath
) -> dict[str, str]:
    """A value moment's email to this contact, as it would go (a stand-in portal link)."""
    contact = get_object_or_404(Contact.objects.select_related("account__owner"), pk=contact_id)
    try:
        span = services.span_of(kind, filters.period or None, now=as_of(filters.as_of))
    except MomentError as exc:
        raise _refused(exc) from None
    email = services.preview(kind, contact, span)
    return {
        "kind": kind,
        "period": span.label,
        "to": email.to,
        "subject": email.subject,
        "text": email.text,
        "html": email.html,
    }


@router.post(
    "/{kind}/sends",
    response=STARTED,
    operation_id="send_value_moment",
    openapi_extra=STARTED_HEADERS,
)
def send(request: HttpRequest, response: HttpResponse, kind: Kind, payload: SendIn) -> Status[Job]:
    """Write this value moment for the period to the outbox for everyone it is for: 202 with
    the job. Once per person and period: a second send writes nothing."""
    try:
        job = start_send(
            kind,
            payload.period or "",
            now=as_of(payload.as_of),
            actor=principal_of(request).user,
            api_key=key_prefix(request),
        )
    except MomentError as exc:
        raise _refused(exc) from None
    return accepted(response, job)


def _document(kind: str) -> dict[str, object]:
    return {
        "responses": {
            "200": {"description": kind, "content": {kind: {"schema": {"type": "string"}}}}
        }
    }


def _year(kind: str, year: str, at: Any) -> Any:
    try:
        return services.span_of(kind, year or None, now=as_of(at))
    except MomentError as exc:
        raise _refused(exc) from None


@router.get(
    "/wrapped/advocates/{int:contact_id}.html",
    response={200: None},
    operation_id="advocate_year_html",
    openapi_extra=_document("text/html"),
)
def advocate_year(
    request: HttpRequest, filters: Query[PeriodQuery], contact_id: int = IdPath
) -> HttpResponse:
    """An advocate's year in review as an HTML page (inline SVG charts, no script)."""
    get_object_or_404(Contact, pk=contact_id)
    span = _year("wrapped", filters.period, filters.as_of)
    return HttpResponse(wrapped.page("wrapped", contact_id, None, span))


@router.get(
    "/wrapped/accounts/{int:account_id}.html",
    response={200: None},
    operation_id="account_year_html",
    openapi_extra=_document("text/html"),
)
def account_year(
    request: HttpRequest, filters: Query[PeriodQuery], account_id: int = IdPath
) -> HttpResponse:
    """An account's year in review as an HTML page."""
    get_object_or_404(Account, pk=account_id)
    span = _year("account_wrapped", filters.period, filters.as_of)
    return HttpResponse(wrapped.page("account_wrapped", None, account_id, span))


@router.post(
    "/wrapped/pdf", response=STARTED, operation_id="build_year_pdf", openapi_extra=STARTED_HEADERS
)
def year_pdf(request: HttpRequest, response: HttpResponse, payload: WrappedPdfIn) -> Status[Job]:
    """Build a year in review as PDF: 202 with the job; the PDF at its `artefact_url`. Needs
    only `read`: it changes nothing."""
    contact = payload.contact_id if payload.kind == "wrapped" else None
    account = payload.account_id if payload.kind == "account_wrapped" else None
    if contact is None and account is None:
        raise HttpError(422, "name the advocate (contact_id) or the account (account_id)")
    try:
        job = start_wrapped_pdf(
            payload.kind,
            contact,
            account,
            payload.year,
            now=as_of(payload.as_of),
            actor=principal_of(request).user,
            api_key=key_prefix(request),
        )
    except MomentError as exc:
        raise _refused(exc) from None
    except wrapped.NotFound as exc:
        raise HttpError(404, str(exc)) from None
    return accepted(response, job)


@router.get(
    "/reciprocity/{int:contact_id}", response=ReciprocityOut, operation_id="get_reciprocity"
)
def reciprocity(
    request: HttpRequest, filters: Query[PeriodQuery], contact_id: int = IdPath
) -> dict[str, Any]:
    """What the program gave this person against what it asked of them, in 12 months."""
    get_object_or_404(Contact, pk=contact_id)
    at = as_of(filters.as_of)
    found = balances([contact_id], at)[contact_id]
    return {"contact_id": contact_id, **found.as_dict(), "as_of": at}


@router.put("/weekly/{int:contact_id}", response=WeeklyOut, operation_id="set_weekly_insights")
def weekly(request: HttpRequest, payload: WeeklyIn, contact_id: int = IdPath) -> dict[str, Any]:
    """Set whether this person gets the weekly insights email."""
    contact = get_object_or_404(Contact, pk=contact_id)
    services.set_weekly(
        contact, payload.weekly, now=as_of(None), actor=principal_of(request).user, where="staff"
    )
    return {"contact_id": contact_id, "weekly": payload.weekly}
