"""Browser tests of the engine pages: Chromium through Playwright against a live server."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy.engine.models import Play
from advocacy.pipeline.catalogue import load_catalogue, read_catalogue
from advocacy.signals.models import SignalKind
from advocacy.web.tests.conftest import make_account, make_contact, make_signal
from advocacy.web.tests.engine_world import advocates
from advocacy.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def catalogue() -> None:
    """The ask types come from a data migration, which an earlier live-server test flushed."""
    load_catalogue(read_catalogue())


def test_load_the_playbook_and_simulate_a_play(page: Page, live_server: Any, owner: Any) -> None:
    account = make_account("Acme", domain="acme.example", customer_since=date(2024, 1, 1))
    for i in range(6):
        contact = make_contact(account, f"P{i}")
        day = START + timedelta(days=i * 2, hours=10)
        make_signal(SignalKind.NPS, day, contact=contact, value=10)
        make_signal(SignalKind.ACTIVITY, day - timedelta(days=1), contact=contact)
    log_in(page, live_server.url, "/plays/", username="owner")  # reloading is an admin's

    page.get_by_test_id("playbook-load").click()
    expect(page.get_by_test_id("messages")).to_contain_text("Loaded 8 play(s) from the playbook.")
    expect(page.get_by_test_id("play-row")).to_have_count(8)
    assert Play.objects.count() == 8

    page.get_by_role("link", name="NPS promoter → review request").click()
    expect(page.get_by_test_id("play-trigger")).to_have_text("NPS answer ≥ 9, within 48 hours")
    page.get_by_label("From").fill("2026-03-02")
    page.get_by_label("To").fill("2026-03-22")
    page.get_by_test_id("simulate").click()

    expect(page.get_by_test_id("chart-week")).to_have_count(3)
    expect(page.get_by_test_id("simulation-summary")).to_contain_text("would have made")
    expect(page).to_have_url(re.compile(r"/plays/nps-promoter-review/simulate/\?start=2026-03-02"))
    expect(page.get_by_test_id("chart").locator("svg[role=img] > title")).to_contain_text(
        "week by week"
    )


def test_filter_advocates_by_stage_and_see_the_next_best_ask(
    page: Page, live_server: Any, member: Any
) -> None:
    advocates(timezone.now())
    log_in(page, live_server.url, "/advocates/")
    expect(page.get_by_test_id("advocate-row")).to_have_count(4)

    page.get_by_label("Stage").select_option("mature")
    expect(page.get_by_test_id("advocate-row")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/advocates/\?.*stage=mature"))

    page.get_by_role("link", name="Ann Archer").click()
    expect(page.get_by_test_id("contact-name")).to_have_text("Ann Archer")
    ready = page.get_by_test_id("options-ready").get_by_test_id("ask-option")
    expect(ready).to_have_count(9)  # all but the case study (no result) and co-creation (rung)
    expect(page.locator('[data-code="review"]')).to_contain_text("latest NPS ≥ 9 (found: 10)")
    expect(page.get_by_test_id("next-ask-profile")).to_contain_text("Mature")
