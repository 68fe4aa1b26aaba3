"""The advocate's own Customer Champion badge: get it once in the champions group, share its
page, download its image. The name on it follows their consent (advocacy.recognition)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from advocacy.customers.models import Contact
from advocacy.portal.session import advocate_of, advocate_required
from advocacy.recognition import services
from advocacy.recognition.services import RecognitionError


@require_POST
@advocate_required
def get_badge(request: HttpRequest) -> HttpResponse:
    contact = advocate_of(request)
    try:
        services.issue_badge(contact, actor=None, now=timezone.now())
    except RecognitionError:
        messages.error(
            request, "The badge comes with the Champion tier: one completed activity this quarter."
        )
    else:
        messages.success(request, "Here is your badge: share its page or download the image.")
    return redirect("portal:rewards")


def badge_context(contact: Contact) -> dict[str, object]:
    """The rewards page's badge section: the live badge, or whether the advocate may get one."""
    now = timezone.now()
    badge = services.current_badge(contact, now)
    if badge is not None:
        return {
            "badge": badge,
            "badge_view": services.badge_view(badge, now),
            "badge_links": services.badge_links(badge),
        }
    try:
        eligible = bool(services.is_champion(contact, now))
    except RecognitionError:
        eligible = False
    return {"badge": None, "badge_eligible": eligible}
