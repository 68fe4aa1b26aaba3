"""Entering the portal from a magic link: a page with one button, and the POST that redeems it.

Opening the link (GET) logs nobody in, since mail scanners open links; it shows one button.
The POST redeems the link (once) and starts the portal session. A link that opens nothing says
why on a page of its own; an expired or used one offers to ask for a fresh link.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.portal.links import (
    LinkRefused,
    check_link,
    genuine_claim,
    redeem_link,
    request_fresh_link,
)
from advocacy.portal.render import portal_render
from advocacy.portal.session import NONCE_KEY, open_session, portal_contact, staff_signed_in

# A refused link's page answers with the status that says what happened to it.
REFUSED_STATUS = {"expired": 410, "used": 410, "closed": 410, "forged": 404}


def refused_page(request: HttpRequest, token: str, refused: LinkRefused) -> HttpResponse:
    return portal_render(
        request,
        "portal/link_refused.html",
        {"reason": refused.reason, "renewable": refused.renewable, "token": token},
        status=REFUSED_STATUS[refused.reason],
    )


@require_http_methods(["GET", "POST"])
def enter(request: HttpRequest, token: str) -> HttpResponse:
    if _redeemed_here(request, token):
        return redirect("portal:home")  # back, or reloaded: this session is the link's
    staff = staff_signed_in(request)
    if request.method == "GET" or staff:
        try:
            check_link(token)
        except LinkRefused as exc:
            return refused_page(request, token, exc)
        # A signed-in staff user is never turned into an advocate: the button is not offered.
        return portal_render(
            request,
            "portal/enter.html",
            {"token": token, "staff": staff},
            status=403 if staff and request.method == "POST" else 200,
        )
    try:
        redemption = redeem_link(token, now=timezone.now())
    except LinkRefused as exc:
        return refused_page(request, token, exc)
    open_session(request, redemption.contact, redemption.nonce)
    target = reverse("portal:home")
    if redemption.ask_id is not None:
        target += f"#ask-{redemption.ask_id}"
    return redirect(target)


def _redeemed_here(request: HttpRequest, token: str) -> bool:
    """This browser's portal session is the one this very link opened."""
    claim = genuine_claim(token)
    return (
        claim is not None
        and request.session.get(NONCE_KEY) == claim.nonce
        and portal_contact(request) is not None
    )


@require_POST
def fresh_link(request: HttpRequest, token: str) -> HttpResponse:
    """Ask for a fresh link in place of an expired or used one."""
    try:
        check_link(token)
    except LinkRefused as exc:
        contact = request_fresh_link(exc, now=timezone.now())
        return portal_render(request, "portal/fresh_link.html", {"recorded": contact is not None})
    return redirect("portal:enter", token=token)  # it still works: use it
