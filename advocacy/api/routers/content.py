"""/api/content: the content library; create assets, move them, record consent and reuse.

Writes need `content:write`. Moves follow the transition table (409 naming the allowed moves
otherwise); a use the asset's state or consent does not cover is refused with 409 and the
refused attempt is recorded (unless the request carried an Idempotency-Key: a failed idempotent
request is rolled back whole, so that it can be retried).
"""

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Path, Query
from ninja.pagination import paginate
from ninja.responses import Status

from advocacy.api.auth import principal_of
from advocacy.api.errors import BatchRejected, item_error
from advocacy.api.routers.content_schemas import (
    AssetDetailOut,
    AssetEditIn,
    AssetFilters,
    AssetIn,
    AssetOut,
    AssetTransitionIn,
    ConsentIn,
    ConsentOut,
    ExpiryRunOut,
    RepermissionOut,
    UseIn,
    UseOut,
)
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, AsOfIn, ErrorOut, Page, as_of
from advocacy.content.models import Asset, AssetQuerySet, Consent, Repermission
from advocacy.content.rendering import filename, render_html, render_pdf
from advocacy.content.services import (
    create_asset,
    edit_asset,
    expire_assets,
    grant_consent,
    move_asset,
    record_use,
)
from advocacy.customers.models import Contact
from advocacy.pipeline.models import Ask

router = ScopedRouter(tags=["content"])
AssetId = Path(..., ge=1, le=MAX_ID)


def assets() -> AssetQuerySet:
    return Asset.objects.select_related("contact", "account")


def with_history() -> AssetQuerySet:
    return assets().prefetch_related("events", "consents", "uses")


@router.get("", response=list[AssetOut], operation_id="list_assets")
@paginate(Page)
def list_assets(request: HttpRequest, filters: Query[AssetFilters]) -> QuerySet[Asset]:
    """The content library, newest first; filter by kind, status, consent scope, advocate."""
    found = assets()
    given = {
        "kind": filters.kind,
        "status": filters.status,
        "contact_id": filters.contact_id,
        "account_id": filters.account_id,
    }
    found = found.filter(**{k: v for k, v in given.items() if v})
    if filters.scope:
        found = found.consented(filters.scope)
    if filters.repermission is not None:
        reminded = Exists(Repermission.objects.open().filter(asset=OuterRef("pk")))
        found = found.filter(reminded if filters.repermission else ~reminded)
    return found.order_by("-created_at", "-id")


@router.get("/repermissions", response=list[RepermissionOut], operation_id="list_repermissions")
@paginate(Page)
def list_repermissions(request: HttpRequest) -> QuerySet[Repermission]:
    """Open re-permission reminders: consents running out soon, the soonest first."""
    return Repermission.objects.open().select_related("asset")


@router.post("/expiry-runs", response=ExpiryRunOut, operation_id="run_content_expiry")
def run_expiry(request: HttpRequest, query: Query[AsOfIn]) -> dict[str, list[int]]:
    """Run the expiry job now or `?as_of=` (it also runs hourly): expire, flag for re-permission."""
    run = expire_assets(as_of(query.as_of), repermission_days=settings.CONTENT_REPERMISSION_DAYS)
    return run.as_dict()


@router.post("", response={201: AssetDetailOut}, operation_id="create_asset")
def create(request: HttpRequest, payload: AssetIn) -> Status[Asset]:
    """Create a draft asset of an advocate (201), optionally from the ask that produced it."""
    contact = Contact.objects.filter(pk=payload.contact_id).first()
    ask = Ask.objects.filter(pk=payload.ask_id).first() if payload.ask_id else None
    errors = []
    if contact is None:
        errors.append(
            item_error(None, "contact_id", f"no contact with id {payload.contact_id}", "rejected")
        )
    if payload.ask_id and ask is None:
        errors.append(item_error(None, "ask_id", f"no ask with id {payload.ask_id}", "rejected"))
    if contact is None or errors:
        raise BatchRejected(errors)
    fields = payload.dict(exclude={"kind", "title", "contact_id", "ask_id", "note", "as_of"})
    asset = create_asset(
        kind=payload.kind,
        title=payload.title,
        contact=contact,
        ask=ask,
        actor=principal_of(request).user,
        now=as_of(payload.as_of),
        note=payload.note,
        **fields,
    )
    return Status(201, with_history().get(pk=asset.pk))


@router.get("/{int:asset_id}", response=AssetDetailOut, operation_id="get_asset")
def get_asset(request: HttpRequest, asset_id: int = AssetId) -> Asset:
    """One asset with its timeline, consents and reuse log."""
    return get_object_or_404(with_history(), pk=asset_id)


@router.patch("/{int:asset_id}", response=AssetDetailOut, operation_id="edit_asset")
def edit(request: HttpRequest, payload: AssetEditIn, asset_id: int = AssetId) -> Asset:
    """Change the text of a draft; 422 when the asset is not a draft."""
    asset = get_object_or_404(Asset, pk=asset_id)
    fields = payload.dict(exclude={"note", "as_of"}, exclude_none=True)
    edit_asset(
        asset,
        actor=principal_of(request).user,
        now=as_of(payload.as_of),
        note=payload.note,
        **fields,
    )
    return with_history().get(pk=asset.pk)


@router.post(
    "/{int:asset_id}/transitions",
    response={200: AssetDetailOut, 409: ErrorOut},
    operation_id="move_asset",
)
def transition(request: HttpRequest, payload: AssetTransitionIn, asset_id: int = AssetId) -> Asset:
    """Move an asset (send for review, approve, publish, revoke…); 409 if not allowed."""
    asset = get_object_or_404(Asset, pk=asset_id)
    move_asset(
        asset,
        payload.to,
        actor=principal_of(request).user,
        now=as_of(payload.as_of),
        note=payload.note,
    )
    return with_history().get(pk=asset.pk)


@router.post("/{int:asset_id}/consent", response={201: ConsentOut}, operation_id="grant_consent")
def consent(request: HttpRequest, payload: ConsentIn, asset_id: int = AssetId) -> Status[Consent]:
    """Record the advocate's consent (201); it replaces the one in force, a renewal extends it."""
    asset = get_object_or_404(Asset, pk=asset_id)
    granted = grant_consent(
        asset,
        payload.scopes,
        expires_at=payload.expires_at,
        granted_at=payload.granted_at,
        actor=principal_of(request).user,
        now=as_of(payload.as_of),
        note=payload.note,
    )
    return Status(201, granted)


@router.post(
    "/{int:asset_id}/uses", response={201: UseOut, 409: ErrorOut}, operation_id="record_use"
)
def use(request: HttpRequest, payload: UseIn, asset_id: int = AssetId) -> Status[object]:
    """Record a use (201); 409 with the reason when state or consent does not cover it."""
    asset = get_object_or_404(Asset, pk=asset_id)
    recorded = record_use(
        asset,
        payload.channel,
        actor=principal_of(request).user,
        now=as_of(payload.as_of),
        where=payload.where,
        shows=payload.shows,
        note=payload.note,
        opportunity_ref=payload.opportunity_ref,
    )
    return Status(201, recorded)


def _document(kind: str) -> dict[str, object]:
    return {
        "responses": {
            "200": {"description": kind, "content": {kind: {"schema": {"type": "string"}}}}
        }
    }


@router.get(
    "/{int:asset_id}/render.html",
    response={200: None},
    operation_id="render_asset_html",
    openapi_extra=_document("text/html"),
)
def as_html(request: HttpRequest, asset_id: int = AssetId) -> HttpResponse:
    """The asset rendered from the seed template, showing only what consent covers."""
    return HttpResponse(render_html(get_object_or_404(assets(), pk=asset_id)))


@router.get(
    "/{int:asset_id}/render.pdf",
    response={200: None},
    operation_id="render_asset_pdf",
    openapi_extra=_document("application/pdf"),
)
def as_pdf(request: HttpRequest, asset_id: int = AssetId) -> HttpResponse:
    """The same rendering as a PDF download."""
    asset = get_object_or_404(assets(), pk=asset_id)
    response = HttpResponse(render_pdf(asset), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(asset, "pdf")}"'
    return response
