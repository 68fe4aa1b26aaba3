"""In Chromium: an advocate chooses a reward type for their balance, then refers a peer."""

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy.messaging.links import link_path
from advocacy.referrals.models import Referral
from advocacy.rewards import services
from advocacy.rewards.models import Redemption
from advocacy.rewards.tests.helpers import advocate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_advocate_chooses_a_reward_and_refers_a_peer(page: Page, live_server: Any) -> None:
    contact = advocate(first_name="Ann")
    services.credit(contact, 10_000, "a reference call", actor=None, now=timezone.now())
    page.goto(f"{live_server.url}{link_path(contact.pk)}")
    page.get_by_role("button", name="Open my advocate portal").click()
    page.get_by_test_id("portal-nav-rewards").click()
    page.get_by_label("Product credit").check()
    page.get_by_label("Amount in dollars").fill("40")
    page.get_by_role("button", name="Redeem").click()
    expect(page.get_by_test_id("reward-balance")).to_have_text("$60")
    assert Redemption.objects.get().reward_type == "product_credit"

    page.get_by_test_id("portal-nav-referrals").click()
    expect(page.get_by_test_id("referral-link")).to_contain_text("/r/")
    form = page.get_by_test_id("referral-form")
    form.get_by_label("Name").fill("Grace Hopper")
    form.get_by_label("Work email").fill("grace@navy.example")
    form.get_by_label("Company", exact=True).fill("US Navy")
    form.get_by_role("button", name="Refer").click()
    expect(page.get_by_test_id("messages")).to_contain_text("in touch with Grace Hopper")
    expect(page.get_by_test_id("referral-list")).to_contain_text("Submitted")
    made = Referral.objects.get()
    assert (made.advocate_id, made.via, made.prospect_domain) == (
        contact.pk,
        "portal",
        "navy.example",
    )
