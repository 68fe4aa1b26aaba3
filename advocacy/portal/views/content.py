"""Content the advocate reviews: approve (with the permission they grant), send changes, decline."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from advocacy.content.models import Asset, AssetStatus
from advocacy.portal import approvals
from advocacy.portal.forms import ApproveForm, ChangesForm, ReasonForm
from advocacy.portal.render import portal_render
from advocacy.portal.session import advocate_of, advocate_required


def _own_asset(request: HttpRequest, pk: int) -> Asset:
    """One of the advocate's own assets that reached them; any other is 404."""
    return get_object_or_404(
        Asset.objects.select_related("contact", "account").exclude(status=AssetStatus.DRAFT),
        pk=pk,
        contact=advocate_of(request),
    )


@require_GET
@advocate_required
def library(request: HttpRequest) -> HttpResponse:
    contact = advocate_of(request)
    context = {
        "section": "content",
        "waiting": approvals.awaiting(contact),
        "answered": list(
            Asset.objects.filter(contact=contact)
            .exclude(status__in=[AssetStatus.DRAFT, AssetStatus.ADVOCATE_REVIEW])
            .order_by("-updated_at", "-pk")[:50]
        ),
    }
    return portal_render(request, "portal/content_list.html", context)


def _detail(
    request: HttpRequest,
    asset: Asset,
    *,
    approve: ApproveForm | None = None,
    changes: ChangesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    context = {
        "section": "content",
        "asset": asset,
        "reviewing": asset.status == AssetStatus.ADVOCATE_REVIEW,
        "approve_form": approve
        or ApproveForm(
            offered=approvals.offered_scopes(asset),
            initial={
                "scopes": approvals.suggested_scopes(asset),
                "until": approvals.default_until(now),
            },
        ),
        "changes_form": changes or ChangesForm(asset=asset),
        "decline_form": ReasonForm(),
        "consents": [
            (approvals.scope_words(c.scopes), approvals.last_day(c.expires_at))
            for c in asset.consents.order_by("-recorded_at", "-pk")[:5]
        ],
    }
    return portal_render(request, "portal/content_detail.html", context, status=status)


@require_GET
@advocate_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _own_asset(request, pk))


@require_POST
@advocate_required
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    asset = _own_asset(request, pk)
    form = ApproveForm(request.POST, offered=approvals.offered_scopes(asset))
    if not form.is_valid():
        return _detail(request, asset, approve=form, status=422)
    try:
        approvals.approve(
            asset, form.cleaned_data["scopes"], until=form.cleaned_data["until"], now=timezone.now()
        )
    except approvals.ApprovalRefused as exc:
        form.add_error(None, str(exc))
        return _detail(request, asset, approve=form, status=422)
    messages.success(request, f"Thank you! You approved “{asset.title}”.")
    return redirect("portal:content")


@require_POST
@advocate_required
def changes(request: HttpRequest, pk: int) -> HttpResponse:
    asset = _own_asset(request, pk)
    form = ChangesForm(request.POST, asset=asset)
    if not form.is_valid():
        return _detail(request, asset, changes=form, status=422)
    try:
        approvals.send_changes(
            asset, form.changes(), note=form.cleaned_data["note"], now=timezone.now()
        )
    except approvals.ApprovalRefused as exc:
        form.add_error(None, str(exc))
        return _detail(request, asset, changes=form, status=422)
    messages.success(request, f"Thank you! Your changes to “{asset.title}” were sent to the team.")
    return redirect("portal:content")


@require_POST
@advocate_required
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    asset = _own_asset(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        approvals.decline(asset, reason=reason, now=timezone.now())
    except approvals.ApprovalRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, f"You declined “{asset.title}”: it will not be used.")
    return redirect("portal:content")
