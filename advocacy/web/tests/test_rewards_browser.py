"""Browser test: set the quarter's budget, credit an advocate, reverse the entry once confirmed."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy.rewards import services
from advocacy.rewards.models import Entry
from advocacy.rewards.tiers import quarter_of
from advocacy.web.tests.conftest import make_account, make_contact
from advocacy.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_set_a_budget_credit_an_advocate_and_reverse_it(
    page: Page, live_server: Any, owner: Any
) -> None:
    ada = make_contact(make_account("Acme"), "Ada", last_name="Lovelace")
    quarter = quarter_of(timezone.now())
    log_in(page, live_server.url, "/rewards/", username="owner")
    expect(page.get_by_test_id("spend-no-budget")).to_have_text(
        "Set a budget for this quarter first: the form beside this card sets it."
    )

    page.get_by_label("Budget (dollars)").fill("5,000")
    page.get_by_test_id("budget-submit").click()
    expect(page.get_by_test_id("budget")).to_have_text("$5,000")
    expect(page.get_by_test_id("spend-no-budget")).to_have_count(0)
    assert services.spend(quarter).budget_cents == 500_000

    credit = page.get_by_test_id("credit-form")
    credit.get_by_label("Advocate's email").fill(ada.email)
    credit.get_by_label("Amount (dollars)").fill("25")
    credit.get_by_label("Reason").fill("spoke at the user group")
    credit.get_by_test_id("credit-submit").click()
    expect(page.get_by_text(f"Credited $25 to {ada}.")).to_be_visible()
    (entry,) = Entry.objects.filter(contact=ada)

    page.get_by_test_id("reverse-link").click()
    confirm = page.get_by_test_id("reverse-confirm")
    expect(confirm).to_contain_text("spoke at the user group")
    assert Entry.objects.filter(contact=ada).count() == 1  # nothing until confirmed
    confirm.get_by_label("Reason").fill("credited to the wrong person")
    page.get_by_test_id("reverse-confirm-button").click()
    expect(page.get_by_text(f"Reversed: $25 taken back from {ada}.")).to_be_visible()
    reversal = Entry.objects.get(reverses=entry)
    assert (reversal.amount_cents, reversal.reason) == (-2_500, "credited to the wrong person")
    assert services.balance(ada, timezone.now()) == 0
