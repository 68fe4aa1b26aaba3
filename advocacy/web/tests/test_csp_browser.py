"""Browser test of every page on a phone: none breaks the Content-Security-Policy (and the policy
holds), none scrolls sideways at 390 px (a wide table or board scrolls in its own box)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, get_resolver
from playwright.sync_api import ConsoleMessage, Page

from advocacy.content.models import Asset
from advocacy.customers.models import Account, Contact
from advocacy.pipeline.models import Ask
from advocacy.web.tests.test_browser import log_in
from advocacy.web.tests.test_metrics_browser import demo_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_PAGES = ("logout/", "password/set/", "login/")  # a POST, a token link, the page logged into


def pages() -> list[str]:
    """Every page of the UI without a parameter (from the URLconf), then one of each detail."""
    web = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", "") == "web")
    plain = [
        "/" + str(p.pattern)
        for p in web.url_patterns
        if isinstance(p, URLPattern)
        and "<" not in str(p.pattern)
        and str(p.pattern).endswith("/")
        and not str(p.pattern).startswith(NOT_PAGES)
    ]
    contact, account = Contact.objects.first(), Account.objects.first()
    ask, asset = Ask.objects.exclude(play="").first(), Asset.objects.first()
    assert contact and account and ask and asset
    return [
        *plain,
        f"/contacts/{contact.pk}/",
        f"/accounts/{account.pk}/",
        f"/asks/{ask.pk}/",
        f"/plays/{ask.play}/",
        f"/content/{asset.pk}/",
        f"/content/{asset.pk}/preview/",  # a standalone document, with its own <style>
        "/api/docs",
    ]


def test_no_page_breaks_the_policy_or_the_phone_width_and_an_injected_script_does_not_run(
    page: Page, live_server: Any, owner: Any
) -> None:
    demo_program()
    refused: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(f"{page.url}: {message.text}")

    page.on("console", watch)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "/", username="owner")
    seen = [  # a POST-only route answers a GET 405: it is no page
        path for path in pages() if page.request.get(f"{live_server.url}{path}").status != 405
    ]
    assert len(seen) >= 25
    too_wide: dict[str, int] = {}
    for path in seen:
        response = page.goto(f"{live_server.url}{path}", wait_until="networkidle")
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        width = page.evaluate("document.documentElement.scrollWidth")
        printable = path.endswith("/preview/") or path == "/metrics/council/"
        if width > 390 and not printable and path != "/api/docs":
            too_wide[path] = width  # (Swagger's page is not ours; a printed page is A4)
    assert refused == []
    assert too_wide == {}

    page.goto(f"{live_server.url}/contacts/")
    ran = page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.head.appendChild(script);
            return window.injected === true;
        }"""
    )
    assert ran is False
    assert any("inline script" in line for line in refused), refused
