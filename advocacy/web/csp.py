"""The Content-Security-Policy (ASVS V14.4.3), and the one exception it allows.

The policy (settings.CONTENT_SECURITY_POLICY, sent by django-csp's middleware) lets a page load
scripts, styles, images and fonts from this site only, with no inline script or style. The
standalone documents (the council report, an asset's HTML) carry their own `<style>` element so
that they print and save as one file; their response allows exactly that element, by its hash,
and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import re

from django.http import HttpResponse

STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def style_hashes(html: str) -> list[str]:
    """The CSP sources that allow each `<style>` element of the document, and only those."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in STYLE.findall(html)
    ]


def standalone_document(html: str) -> HttpResponse:
    response = HttpResponse(html)
    hashes = style_hashes(html)
    if hashes:
        response._csp_update = {"style-src": hashes}  # type: ignore[attr-defined]
    return response
