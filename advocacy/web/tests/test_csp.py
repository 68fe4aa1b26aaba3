"""The Content-Security-Policy header on every page; a standalone document allows its own style."""

from __future__ import annotations

import pytest
from django.test import Client

from advocacy.web.csp import style_hashes

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict[str, str]:
    """The policy as directive: sources (django-csp writes the directives in no fixed order)."""
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.parametrize("path", ["/login/", "/contacts/", "/api/docs", "/no-such-page/"])
def test_every_page_carries_the_policy(staff_client: Client, path: str) -> None:
    response = staff_client.get(path)
    assert directives(response["Content-Security-Policy"]) == POLICY


def test_the_council_report_allows_its_own_style_element_and_no_other(
    staff_client: Client,
) -> None:
    response = staff_client.get("/metrics/council/")
    assert response.status_code == 200
    (digest,) = style_hashes(response.content.decode())
    assert digest.startswith("'sha256-") and len(digest) == len("'sha256-'") + 44
    assert directives(response["Content-Security-Policy"]) == {
        **POLICY,
        "style-src": f"'self' {digest}",
    }


def test_a_style_hash_is_the_base64_sha256_of_the_element() -> None:
    """The figures are openssl's: printf 'p{color:red}' | openssl dgst -sha256 -binary | base64."""
    assert style_hashes("<p><style>p{color:red}</style><style>b {}</style>") == [
        "'sha256-p0bF+un5yUb9MBO6xRb8kPHlY2BdpHVtLiFkDrZPF64='",
        "'sha256-zy87ZYlZV4kMyp51wB+3ABJeEclAGRFupKDmlDS9DAw='",
    ]
