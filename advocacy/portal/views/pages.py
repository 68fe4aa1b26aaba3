"""The portal's own "not found" page: for an address under /portal/ that names nothing, and for
an ask or a piece of content that is not the advocate's (the staff UI's page is not theirs)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from advocacy.portal.render import portal_render


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    # The catch-all route would hide APPEND_SLASH: an address missing its slash goes to the page.
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not_found":
            return redirect(request.path + "/")
    return portal_render(request, "portal/not_found.html", {}, status=404)
