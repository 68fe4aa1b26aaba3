"""Render a full page, or one named partial of it when htmx asks.

One view per URL (STYLE.md): the same address works without JavaScript, in the test client and
as an htmx target. A history-restore request wants the whole page, so it never gets a partial.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (typing only)."""

    htmx: HtmxDetails


def wants_partial(request: HttpRequest) -> bool:
    details: HtmxDetails | None = getattr(request, "htmx", None)
    return bool(details) and not (details and details.history_restore_request)


def render_page(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render `template`, or only its `partial` for an htmx request."""
    name = f"{template}#{partial}" if partial and wants_partial(request) else template
    response = render(request, name, dict(context), status=status)
    # Browsers and caches must not hand the partial to a plain navigation, or the reverse.
    patch_vary_headers(response, ("HX-Request",))
    return response
