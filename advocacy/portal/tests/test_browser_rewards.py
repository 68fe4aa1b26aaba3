"""In Chromium: an advocate opens their link, chooses a donation and sees their balance fall."""

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy.messaging.links import link_path
from advocacy.rewards import services
from advocacy.rewards.models import Redemption
from advocacy.rewards.tests.helpers import advocate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_advocate_chooses_a_donation(page: Page, live_server: Any) -> None:
    contact = advocate(first_name="Ann")
    services.credit(contact, 10_000, "a reference call", actor=None, now=timezone.now())
    page.goto(f"{live_server.url}{link_path(contact.pk)}")
    page.get_by_role("button", name="Open my advocate portal").click()
    page.get_by_test_id("portal-nav-rewards").click()
    expect(page.get_by_test_id("reward-balance")).to_have_text("$100")
    page.get_by_label("Charity donation in your name").check()
    page.get_by_label("For a donation, the charity").select_option("khan-academy")
    page.get_by_label("Amount in dollars").fill("75")
    page.get_by_role("button", name="Redeem").click()
    expect(page.get_by_test_id("reward-balance")).to_have_text("$25")
    assert Redemption.objects.get().charity == "khan-academy"
    expect(page.get_by_test_id("reward-redemptions")).to_contain_text("Awaiting fulfilment")
