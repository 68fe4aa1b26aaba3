"""Rendering a portal page: the program's own name and logo on every page, and no caching.

Portal pages show one person's asks and content, so none is stored by a browser or a proxy
(`Cache-Control: no-store`), and none is framed (the project-wide headers).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers


def program() -> dict[str, str]:
    return {"name": settings.PROGRAM_NAME, "logo_url": settings.PROGRAM_LOGO_URL}


def portal_render(
    request: HttpRequest, template: str, context: Mapping[str, Any], *, status: int = 200
) -> HttpResponse:
    # The advocate of the session, for the header and the footer, on every page that has one.
    base = {"program": program(), "contact": getattr(request, "advocate", None)}
    response = render(request, template, {**base, **context}, status=status)
    add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
    return response


def need_link(request: HttpRequest) -> HttpResponse:
    """The page for anyone without a portal session: the portal opens from a link only."""
    staff = bool(getattr(request, "user", None) and request.user.is_authenticated)
    return portal_render(request, "portal/need_link.html", {"staff": staff}, status=403)
