"""The content library, an asset's page (timeline, consent, reuse log), and its actions.

Every action is a real POST form handled by the same service the CLI and API use
(`advocacy.content.services`); refusals (a move outside the table, a use consent does not
cover) are shown as messages and leave the asset as it was. The library's results come back as
a partial for htmx.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from advocacy.content.models import Asset, AssetStatus, Repermission
from advocacy.content.rendering import filename, render_html, render_pdf
from advocacy.content.services import (
    ContentError,
    InvalidAssetTransition,
    UseRefused,
    allowed_moves,
    create_asset,
    edit_asset,
    end_of,
    expire_assets,
    grant_consent,
    move_asset,
    record_use,
)
from advocacy.pipeline.models import Ask
from advocacy.web.content_forms import (
    AssetEditForm,
    AssetForm,
    ConsentForm,
    LibraryFilterForm,
    UseForm,
)
from advocacy.web.csp import standalone_document
from advocacy.web.htmx import render_page
from advocacy.web.sorting import Columns, nulls_last, sorting
from advocacy.web.views.customers import paginate
from advocacy.web.views.engine import actor

PAGE_SIZE = 50
ASSET_COLUMNS: Columns = {
    "created": ["created_at"],
    "title": [Lower("title")],
    "kind": ["kind"],
    "status": ["status"],
    "until": [nulls_last("consent_expires_at")],
}
REMINDERS_SHOWN = 10
# The words of each move's button.
MOVE_WORDS: dict[str, str] = {
    AssetStatus.DRAFT: "Edits requested",
    AssetStatus.ADVOCATE_REVIEW: "Send to advocate",
    AssetStatus.APPROVED: "Advocate approved",
    AssetStatus.PUBLISHED: "Publish",
    AssetStatus.EXPIRED: "Expire",
    AssetStatus.REVOKED: "Revoke",
}
# The move an asset in each state is expected to make next: its button is the primary one; the
# others (sending back, expiring, revoking) are outlined, and the destructive ones ask first.
PRIMARY_MOVE: dict[str, str] = {
    AssetStatus.DRAFT: AssetStatus.ADVOCATE_REVIEW,
    AssetStatus.ADVOCATE_REVIEW: AssetStatus.APPROVED,
    AssetStatus.APPROVED: AssetStatus.PUBLISHED,
}


@login_required
def library(request: HttpRequest) -> HttpResponse:
    form = LibraryFilterForm(request.GET)
    order = sorting(request, ASSET_COLUMNS, "-created")
    assets = order.apply(form.filter(Asset.objects.select_related("contact", "account")))
    reminders = Repermission.objects.open().select_related("asset", "asset__contact")
    context = {
        "section": "content",
        "form": form,
        "order": order,
        "page": paginate(request, assets, PAGE_SIZE),
        "has_any": form.active_count > 0 or Asset.objects.exists(),
        "reminders": list(reminders[:REMINDERS_SHOWN]),
        "reminder_count": reminders.count(),
        "repermission_days": settings.CONTENT_REPERMISSION_DAYS,
    }
    return render_page(request, "web/content/library.html", context, partial="results")


@login_required
def asset_new(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    ask_id = request.GET.get("ask", "")
    if ask_id.isdigit():
        from_ask = Ask.objects.select_related("contact").filter(pk=int(ask_id)).first()
        if from_ask is not None:
            initial = {"ask": from_ask.pk, "contact": from_ask.contact.email}
    form = AssetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            asset = create_asset(
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                contact=form.cleaned_data["contact"],
                ask=form.cleaned_data["ask"],
                actor=actor(request),
                now=timezone.now(),
                **form.fields_for_service(),
            )
        except ContentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Draft {asset.pk} created. Send it to the advocate next.")
            return redirect("web:asset", asset.pk)
    status = 422 if request.method == "POST" else 200
    return render_page(
        request, "web/content/new.html", {"section": "content", "form": form}, status=status
    )


def _asset_context(asset: Asset, **forms: Any) -> dict[str, Any]:
    moves = [(to, MOVE_WORDS[to]) for to in allowed_moves(asset.status)]
    initial_until = asset.consent_expires_at.date() if asset.consent_expires_at else None
    return {
        "section": "content",
        "asset": asset,
        "moves": moves,
        "primary_move": PRIMARY_MOVE.get(asset.status, ""),
        "events": list(asset.events.select_related("actor")),
        "consents": list(
            asset.consents.select_related("recorded_by").order_by("-recorded_at", "-id")
        ),
        "uses": list(asset.uses.select_related("used_by")),
        "reminders": list(asset.repermissions.open()),
        "consent_form": forms.get("consent_form")
        or ConsentForm(initial={"scopes": asset.scopes, "until": initial_until}),
        "use_form": forms.get("use_form") or UseForm(),
        "now": timezone.now(),
    }


def _asset(pk: int) -> Asset:
    return get_object_or_404(Asset.objects.select_related("contact", "account", "ask"), pk=pk)


@login_required
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_page(request, "web/content/detail.html", _asset_context(_asset(pk)))


@login_required
def asset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the text of a draft (the advocate asked for edits)."""
    asset = _asset(pk)
    initial = {name: getattr(asset, name) for name in AssetEditForm.base_fields}
    initial["results"] = "\n".join(asset.results)
    form = AssetEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            edit_asset(asset, actor=actor(request), now=timezone.now(), **form.fields_for_service())
        except ContentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Draft {asset.pk} saved.")
            return redirect("web:asset", asset.pk)
    status = 422 if request.method == "POST" else 200
    context = {"section": "content", "form": form, "asset": asset}
    return render_page(request, "web/content/new.html", context, status=status)


@login_required
@require_POST
def asset_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the asset to the posted state `to`; a refused move leaves it and says why."""
    asset = _asset(pk)
    to = request.POST.get("to", "")
    try:
        move_asset(
            asset,
            to,
            actor=actor(request),
            now=timezone.now(),
            note=request.POST.get("note", "")[:2000],
        )
    except (InvalidAssetTransition, ContentError) as exc:
        messages.error(request, f"Not moved: {exc}.")
    else:
        messages.success(request, f"Asset {asset.pk} is now {AssetStatus(to).label.lower()}.")
    return redirect("web:asset", asset.pk)


@login_required
@require_POST
def asset_consent(request: HttpRequest, pk: int) -> HttpResponse:
    asset = _asset(pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            grant_consent(
                asset,
                form.cleaned_data["scopes"],
                expires_at=end_of(form.cleaned_data["until"]),
                actor=actor(request),
                now=timezone.now(),
                note=form.cleaned_data["note"],
            )
        except ContentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Consent recorded.")
            return redirect("web:asset", asset.pk)
    context = _asset_context(asset, consent_form=form)
    return render_page(request, "web/content/detail.html", context, status=422)


@login_required
@require_POST
def asset_use(request: HttpRequest, pk: int) -> HttpResponse:
    asset = _asset(pk)
    form = UseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record_use(
                asset,
                data["channel"],
                actor=actor(request),
                now=timezone.now(),
                where=data["where"],
                shows=data["shows"],
                note=data["note"],
                opportunity_ref=data["opportunity_ref"],
            )
        except UseRefused as exc:
            messages.error(request, f"Refused, and recorded: {exc.use.reason}.")
        except ContentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Use recorded.")
        return redirect("web:asset", asset.pk)
    context = _asset_context(asset, use_form=form)
    return render_page(request, "web/content/detail.html", context, status=422)


@login_required
def asset_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The asset rendered as it may be shown: only what consent covers."""
    return standalone_document(render_html(_asset(pk)))


@login_required
def asset_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    asset = _asset(pk)
    response = HttpResponse(render_pdf(asset), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(asset, "pdf")}"'
    return response


@login_required
@require_POST
def content_expiry(request: HttpRequest) -> HttpResponse:
    """Run the expiry job now (it also runs hourly)."""
    run = expire_assets(timezone.now(), repermission_days=settings.CONTENT_REPERMISSION_DAYS)
    messages.success(
        request,
        f"Expired {len(run.expired)} asset(s); flagged {len(run.flagged)} for re-permission.",
    )
    return redirect("web:content")
