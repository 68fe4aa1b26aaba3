"""Browser test of the year in review: Chromium draws its inline SVG charts, runs no script,
and asks for nothing outside the page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from advocacy.value.tests.conftest import _names, world  # noqa: F401 - fixtures
from advocacy.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_accounts_year_draws_its_charts(
    page: Page,
    live_server: Any,
    member: Any,
    world: Any,  # noqa: F811
) -> None:
    requests: list[str] = []
    log_in(page, live_server.url, f"/accounts/{world['acme'].pk}/")
    page.on("request", lambda r: requests.append(r.url))
    page.get_by_test_id("wrapped-html").click()
    charts = page.locator("svg.chart[role=img]")
    expect(charts).to_have_count(2)
    box = charts.first.bounding_box()
    assert box is not None and (box["width"], box["height"]) == (480, 160)
    expect(page.locator("svg.chart--bars rect")).to_have_count(12)
    expect(page.locator("script")).to_have_count(0)
    assert [u for u in requests if not u.startswith(live_server.url)] == []
