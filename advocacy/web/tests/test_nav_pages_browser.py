"""Every page of the staff navigation, on a phone and on a desktop, on the demo's data.

One program (the demo command's, small), one server and one signed-in browser context for the
whole module: each page at each width is its own test, and each asserts that the page fits the
screen (no sideways scroll on a 390 px phone), never says where a default came from ("seed
00N"), and that axe-core, run inside the page, finds nothing serious or critical.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page

from advocacy.pipeline.catalogue import load_catalogue, read_catalogue

# Each test runs in a transaction rolled back at its end (the server's visits write sessions);
# the program itself is written once, before the first, and emptied after the last.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# The staff navigation (base.html) as the demo's admin sees it, in its order.
PAGES = (
    ("Home", "/"),
    ("Accounts", "/accounts/"),
    ("Contacts", "/contacts/"),
    ("Advocates", "/advocates/"),
    ("Plays", "/plays/"),
    ("Pipeline", "/pipeline/"),
    ("Content", "/content/"),
    ("Reference desk", "/references/"),
    ("Outbox", "/outbox/"),
    ("Referrals", "/referrals/"),
    ("Rewards", "/rewards/"),
    ("Recognition", "/recognition/"),
    ("Value moments", "/value/"),
    ("Imports", "/imports/"),
    ("Metrics", "/metrics/"),
    ("Jobs", "/jobs/"),
    ("Connections", "/connections/"),
    ("Webhooks", "/webhooks/"),
    ("Users", "/users/"),
    ("Audit log", "/audit/"),
)
PHONE, DESKTOP = 390, 1440
SERIOUS = {"serious", "critical"}
# The demo's login (docs/demo.md); the web may not import the demo's modules.
DEMO_USERNAME, DEMO_PASSWORD = "demo", "demo-advocacy"
AXE = Axe()


@pytest.fixture(scope="module")
def program(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The demo's program in the test database, served by one live server for the module; the
    database is emptied afterwards, as after any test that commits."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        load_catalogue(read_catalogue())  # an earlier live-server test flushed it
        out = io.StringIO()
        call_command(
            "demo", "--accounts", "30", "--contacts", "300", "--signals", "6000",
            "--seed", "7", "--engine-days", "30", "--json", stdout=out,
        )  # fmt: skip
        assert json.loads(out.getvalue())["contacts"] == 300
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server.url
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            # As a transactional test's flush does: the next one restores the rows the
            # migrations wrote (content types among them), so none are written again here.
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)


@pytest.fixture(scope="module")
def signed_in(browser: Browser, program: str) -> Iterator[BrowserContext]:
    """One browser context, signed in once as the demo's admin (who sees every page)."""
    context = browser.new_context(viewport={"width": DESKTOP, "height": 900})
    page = context.new_page()
    page.goto(f"{program}/login/")
    page.get_by_label("Username").fill(DEMO_USERNAME)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{program}/", wait_until="load")
    page.close()
    yield context
    context.close()


@pytest.fixture
def tab(signed_in: BrowserContext) -> Iterator[Page]:
    page = signed_in.new_page()
    yield page
    page.close()


def test_the_pages_are_the_navigation(tab: Page, program: str) -> None:
    tab.goto(f"{program}/")
    links = tab.eval_on_selector_all(
        "nav.sidenav a", "els => els.map(e => [e.textContent.trim(), e.getAttribute('href')])"
    )
    assert [tuple(link) for link in links] == list(PAGES)


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=["390px", "1440px"])
@pytest.mark.parametrize(("name", "path"), PAGES, ids=[p for _, p in PAGES])
def test_a_page_of_the_navigation(
    tab: Page, program: str, name: str, path: str, width: int
) -> None:
    tab.set_viewport_size({"width": width, "height": 900})
    response = tab.goto(f"{program}{path}", wait_until="load")
    assert response is not None and response.status == 200, name
    assert tab.locator("h1").first.is_visible(), name
    scroll_width = tab.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{name} scrolls sideways at {width} px: {scroll_width}"
    assert "seed 00" not in tab.inner_text("body").lower(), name
    results = AXE.run(tab, options={"resultTypes": ["violations"]})
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]
    assert serious == [], f"{name} at {width} px"
