"""Browser test of referrals: a peer fills in the public form, the team books the meeting (the
bonus shows), then closes it lost after confirming."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy.referrals.models import Referral
from advocacy.referrals.services import code_for
from advocacy.referrals.tests.world import advocate
from advocacy.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_peer_refers_themselves_and_the_team_moves_it(
    page: Page, live_server: Any, member: Any
) -> None:
    code = code_for(advocate(), now=timezone.now())
    page.goto(f"{live_server.url}/r/{code}/")
    form = page.get_by_test_id("refer-form")
    form.get_by_label("Name").fill("Grace Hopper")
    form.get_by_label("Work email").fill("grace@navy.example")
    form.get_by_label("Company", exact=True).fill("US Navy")
    form.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("refer-thanks")).to_have_text("Thank you")

    log_in(page, live_server.url, "/referrals/")
    page.get_by_role("link", name="Grace Hopper").click()
    page.get_by_test_id("referral-move-to").select_option("meeting_booked")
    page.get_by_test_id("referral-move-button").click()
    expect(page.get_by_test_id("referral-status")).to_have_text("Meeting booked")
    expect(page.get_by_test_id("referral-bonuses")).to_contain_text("$100")

    page.get_by_test_id("referral-move-to").select_option("closed_lost")
    page.get_by_test_id("referral-move-button").click()
    page.get_by_test_id("lost-confirm-button").click()
    expect(page.get_by_test_id("referral-status")).to_have_text("Closed lost")
    assert Referral.objects.get().status == "closed_lost"
