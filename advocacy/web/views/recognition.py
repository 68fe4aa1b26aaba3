"""Recognition: the staff page (champions group, featured customers), an advocate's badge on
their contact page, and the public addresses: the badge's page and image, and the featured
customers as an embeddable page and as JSON. Every write is one call to
advocacy.recognition.services.

The public addresses need no login: a badge's token is unguessable (a revoked badge answers
404), and the featured list carries only what consent allows, read at each request.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_POST

from advocacy.customers.models import Contact
from advocacy.recognition import services
from advocacy.recognition.services import RecognitionError
from advocacy.recognition.svg import badge_png, badge_svg
from advocacy.web.htmx import render_page


def _as_of(request: HttpRequest) -> tuple[datetime, str]:
    """The moment ?as_of= names (a day, its end), or now; a bad day is a 404-free message."""
    given = request.GET.get("as_of", "")[:10]
    now = timezone.now()
    if not given:
        return now, ""
    try:
        day = parse_date(given)
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(f"expected a day like 2026-06-30, found {given!r}")
    end = datetime.combine(day, datetime.max.time(), tzinfo=timezone.get_current_timezone())
    return min(end, now) if day == now.date() else end, given


@login_required
def recognition_page(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        moment, given = _as_of(request)
    except ValidationError as exc:
        (moment, given), error = (timezone.now(), ""), exc.messages[0]
    try:
        group = services.champions(moment)
    except RecognitionError as exc:
        group, error = [], str(exc)
    context = {
        "section": "recognition",
        "as_of": given,
        "error": error,
        "champions": group,
        "featured": services.featured(timezone.now()),
    }
    return render_page(request, "web/recognition/page.html", context)


@login_required
def champions_export(request: HttpRequest) -> HttpResponse:
    try:
        moment, given = _as_of(request)
        group = services.champions(moment)
    except (ValidationError, RecognitionError) as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "name", "account", "tier"])
    writer.writerows([c.email, c.name, c.account, c.tier] for c in group)
    response = HttpResponse(out.getvalue(), content_type="text/csv")
    name = f"champions-{given or timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def contact_badge(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue the advocate's badge for this year, or revoke it (`step`)."""
    contact = get_object_or_404(Contact, pk=pk)
    now = timezone.now()
    step = request.POST.get("step", "")
    try:
        if step == "issue":
            services.issue_badge(contact, actor=request.user, now=now)
            messages.success(request, "Badge issued: share its page or download its image.")
        elif step == "revoke":
            badge = services.current_badge(contact, now)
            if badge is None:
                raise RecognitionError(f"{contact.email} has no badge for {now.year}")
            services.revoke_badge(badge, actor=request.user, now=now)
            messages.success(request, "Badge revoked: its address no longer answers.")
        else:
            raise RecognitionError("choose to issue or to revoke the badge")
    except RecognitionError as exc:
        messages.error(request, f"Not done: {exc}.")
    return redirect("web:contact", pk=contact.pk)


def badge_context(contact: Contact) -> dict[str, Any]:
    """The contact page's badge card: their live badge of this year, or if they may have one."""
    now = timezone.now()
    badge = services.current_badge(contact, now)
    if badge is not None:
        return {
            "badge": badge,
            "badge_view": services.badge_view(badge, now),
            "badge_links": services.badge_links(badge),
        }
    try:
        tier = services.is_champion(contact, now)
    except RecognitionError:
        tier = ""
    return {"badge": None, "badge_tier": tier}


def _badge(token: str) -> services.BadgeView:
    badge = services.live_badge(token[:64])
    if badge is None:
        raise Http404("no such badge")
    return services.badge_view(badge, timezone.now())


@require_GET
def badge_page(request: HttpRequest, token: str) -> HttpResponse:
    view = _badge(token)
    context = {
        "view": view,
        "links": services.badge_links(view.badge),
        "program": settings.PROGRAM_NAME,
    }
    return render(request, "web/recognition/badge.html", context)


@require_GET
def badge_image(request: HttpRequest, token: str) -> HttpResponse:
    view = _badge(token)
    response = HttpResponse(badge_svg(view, settings.PROGRAM_NAME), content_type="image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = 'attachment; filename="customer-champion-badge.svg"'
    response["Cache-Control"] = "no-cache"  # a revoked badge or a withdrawn name shows at once
    return response


@require_GET
def badge_preview(request: HttpRequest, token: str) -> HttpResponse:
    """The badge as a PNG: the image of its link previews (Open Graph)."""
    view = _badge(token)
    response = HttpResponse(badge_png(view, settings.PROGRAM_NAME), content_type="image/png")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@xframe_options_exempt
def featured_public(request: HttpRequest) -> HttpResponse:
    """The featured customers as a page other sites may embed (in a frame)."""
    rows = services.featured(timezone.now())
    response = render(
        request,
        "web/recognition/featured_public.html",
        {"featured": rows, "program": settings.PROGRAM_NAME},
    )
    response._csp_replace = {"frame-ancestors": ["*"]}  # type: ignore[attr-defined]
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def featured_json(request: HttpRequest) -> JsonResponse:
    rows = [f.as_dict() for f in services.featured(timezone.now())]
    response = JsonResponse({"featured": rows})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-cache"
    return response
