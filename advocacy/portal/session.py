"""The portal session: one advocate, opened by one link, apart from the staff login.

A redeemed link puts the contact's id in the session (`portal_contact_id`), under a new session
key (no fixation). The portal reads only that key; the staff UI and the API read only the staff
login, which a portal session never has. The two never share a session: a link is not redeemed
in a browser signed in as staff, and a session that holds a staff login is no portal session,
so a staff user cannot open the portal as some contact. The portal session ends after
`ADVOCACY_PORTAL_SESSION_HOURS` however busy, after the idle timeout of every session, when the
advocate leaves, and when the contact leaves the company or is erased.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

from advocacy.customers.models import Contact
from advocacy.portal.render import need_link, portal_render

CONTACT_KEY = "portal_contact_id"
SINCE_KEY = "portal_since"
NONCE_KEY = "portal_link"
KEYS = (CONTACT_KEY, SINCE_KEY, NONCE_KEY)


def open_session(request: HttpRequest, contact: Contact, nonce: str) -> None:
    """Start the advocate's portal session under a fresh session key."""
    request.session.cycle_key()
    request.session[CONTACT_KEY] = contact.pk
    request.session[SINCE_KEY] = int(time.time())
    request.session[NONCE_KEY] = nonce


def close_session(request: HttpRequest) -> None:
    for key in KEYS:
        request.session.pop(key, None)


def staff_signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def portal_contact(request: HttpRequest) -> Contact | None:
    """The advocate of this portal session, or None (no session, staff, expired, gone)."""
    contact_id = request.session.get(CONTACT_KEY)
    if not isinstance(contact_id, int):
        return None
    if staff_signed_in(request):
        close_session(request)
        return None
    since = request.session.get(SINCE_KEY)
    if not isinstance(since, int) or time.time() - since > settings.PORTAL_SESSION_HOURS * 3600:
        close_session(request)
        return None
    contact = (
        Contact.objects.select_related("account", "account__owner")
        .filter(pk=contact_id, left_company_at__isnull=True)
        .first()
    )
    if contact is None:
        close_session(request)
    return contact


def advocate_of(request: HttpRequest) -> Contact:
    """The advocate `advocate_required` found for this request."""
    contact: Contact = request.advocate  # type: ignore[attr-defined]
    return contact


View = Callable[..., HttpResponse]


def advocate_required(view: View) -> View:
    """The view runs for the advocate of the portal session (`request.advocate`); anyone else
    gets the page that says a link is needed (403). What the view does not find among the
    advocate's own is the portal's "not found" page (404), not the staff UI's."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contact = portal_contact(request)
        if contact is None:
            return need_link(request)
        request.advocate = contact  # type: ignore[attr-defined]
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return portal_render(request, "portal/not_found.html", {}, status=404)

    return wrapper
