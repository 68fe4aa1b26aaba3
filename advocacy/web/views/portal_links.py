"""A portal link for one contact, for the team member to send by hand, and what advocates did
in the portal (the notices on the dashboard and the contact's page).

The link is shown once, on the page the POST answers (never in a message or a redirect), and
that page is not cached; `issue_portal_link` writes who took it to the audit log.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from advocacy.customers.models import Contact
from advocacy.engine.preferences import preferences_of
from advocacy.messaging.portal_links import CannotIssue, issue_portal_link
from advocacy.people.models import Via
from advocacy.pipeline.notices import Notice
from advocacy.web.access import client_ip
from advocacy.web.htmx import render_page
from advocacy.web.views.engine import actor

RECENT_DAYS = 14
SHOWN = 10


@login_required
@require_POST
def contact_portal_link(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.select_related("account"), pk=pk)
    raw = request.POST.get("ask", "")
    context: dict[str, Any] = {"section": "contacts", "contact": contact}
    status = 200
    try:
        context["issued"] = issue_portal_link(
            contact,
            actor=actor(request),
            via=Via.WEB,
            now=timezone.now(),
            ask_id=int(raw) if raw.isdigit() else None,
            ip=client_ip(request),
        )
    except CannotIssue as exc:
        context["refused"] = str(exc)
        status = 409
    response = render_page(request, "web/contacts/portal_link.html", context, status=status)
    add_never_cache_headers(response)
    return response


def notices_for(user: Any, *, now: datetime) -> list[Notice]:
    """The latest notices for `user` (theirs, or their role's), newest first."""
    since = now - timedelta(days=RECENT_DAYS)
    return list(
        Notice.objects.for_user(user)
        .since(since)
        .select_related("contact", "ask", "ask__ask_type")[:SHOWN]
    )


def portal_context(contact: Contact) -> dict[str, Any]:
    """The contact page's portal section: what they said and did there (four queries)."""
    return {
        "portal_notices": list(contact.notices.all()[:SHOWN]),
        "portal_prefs": preferences_of(contact),
    }
