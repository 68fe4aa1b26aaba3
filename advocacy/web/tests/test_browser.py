"""Browser tests: Chromium through Playwright against a live server (the `-m browser` pass)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from advocacy.customers.models import Contact
from advocacy.signals.models import SignalKind
from advocacy.web.tests.conftest import make_account, make_contact, make_signal

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Lines 3 and 5 are bad: an email that is not one, a persona we do not know.
BAD_CONTACTS_CSV = (
    "email,first_name,last_name,account_domain,persona\n"
    "ann@acme.example,Ann,Archer,acme.example,champion\n"
    "not-an-email,Bob,Baker,acme.example,executive\n"
    "dan@acme.example,Dan,Dunn,acme.example,admin\n"
    "cat@acme.example,Cat,Cole,acme.example,astronaut\n"
    "eve@acme.example,Eve,Ede,acme.example,end_user\n"
)


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def log_in(page: Page, base: str, next_path: str = "/", username: str = "member") -> None:
    page.goto(f"{base}{next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_test_id("login-submit").click()
    # Until the page after the login has loaded, htmx may not have taken over its forms: a key
    # pressed before then submits the form the old way.
    target = f"{base}{next_path}"
    page.wait_for_url(lambda url: url == target, wait_until="load")


def test_login_and_logout(page: Page, live_server: Any, member: Any) -> None:
    page.goto(f"{live_server.url}/contacts/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/contacts/$"))
    page.get_by_label("Username").fill("member")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_be_visible()
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_visible()
    page.get_by_test_id("user-menu").locator("summary").click()
    page.get_by_test_id("logout").click()
    expect(page.get_by_role("heading", name="Log in", exact=True)).to_be_visible()


def test_import_wizard_with_a_bad_file(
    page: Page, live_server: Any, member: Any, tmp_path: Path
) -> None:
    make_account("Acme", domain="acme.example")
    csv_path = tmp_path / "contacts.csv"
    csv_path.write_text(BAD_CONTACTS_CSV)
    log_in(page, live_server.url, "/imports/new/")

    page.get_by_label("What the file holds").select_option("contacts")
    page.get_by_label("CSV file").set_input_files(str(csv_path))
    page.get_by_test_id("import-preview").click()

    expect(page.get_by_test_id("count-rejected")).to_have_text("2")
    expect(page.get_by_test_id("count-created")).to_have_text("3")
    lines = page.get_by_test_id("error-row").locator("td:first-child")
    expect(lines).to_have_text(["3", "5"])
    expect(page.get_by_test_id("errors-download")).to_be_visible()
    assert Contact.objects.count() == 0

    page.get_by_test_id("import-commit").click()
    expect(page.get_by_test_id("import-status")).to_have_text("Committed")
    expect(page.get_by_test_id("messages")).to_contain_text(
        "Imported: 3 created, 0 updated, 0 unchanged, 2 rejected."
    )
    assert Contact.objects.count() == 3


def test_contact_timeline(page: Page, live_server: Any, member: Any) -> None:
    acme = make_account("Acme", domain="acme.example")
    ann = make_contact(acme, "Ann", last_name="Archer", title="VP Operations")
    make_signal(SignalKind.NPS, datetime(2026, 1, 12, tzinfo=UTC), contact=ann, value=6)
    make_signal(SignalKind.TICKET_OPENED, datetime(2026, 2, 3, tzinfo=UTC), contact=ann)
    make_signal(
        SignalKind.NPS,
        datetime(2026, 3, 9, tzinfo=UTC),
        contact=ann,
        value=10,
        text="The weekly report saves us a day",
    )
    log_in(page, live_server.url, f"/contacts/{ann.pk}/")

    expect(page.get_by_test_id("contact-name")).to_have_text("Ann Archer")
    items = page.get_by_test_id("timeline-item")
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text("The weekly report saves us a day")
    expect(items.first.get_by_test_id("signal-value")).to_have_text("10 / 10")
    expect(page.locator(".timeline__month")).to_have_text(
        ["March 2026", "February 2026", "January 2026"]
    )
    expect(page.get_by_test_id("score-nps").get_by_test_id("sparkline")).to_be_visible()


def test_live_search_narrows_the_contacts(page: Page, live_server: Any, member: Any) -> None:
    acme = make_account("Acme", domain="acme.example")
    for name in ("Ann", "Bob", "Cat"):
        make_contact(acme, name)
    log_in(page, live_server.url, "/contacts/")
    expect(page.get_by_test_id("contact-row")).to_have_count(3)
    page.get_by_label("Search").fill("bob")
    expect(page.get_by_test_id("contact-row")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/contacts/\?q=bob"))


def test_the_header_finds_and_a_header_sorts(page: Page, live_server: Any, member: Any) -> None:
    acme = make_account("Acme", domain="acme.example")
    make_contact(acme, "Ann", last_name="Young", email="ann@acme.example")
    make_contact(acme, "Bob", last_name="Archer", email="bob@acme.example")
    log_in(page, live_server.url, "/contacts/")
    expect(page.get_by_test_id("contact-row").first).to_contain_text("Bob Archer")
    page.get_by_test_id("sort-link").filter(has_text="Name").click()
    expect(page).to_have_url(re.compile(r"/contacts/\?sort=-name"))
    expect(page.get_by_test_id("contact-row").first).to_contain_text("Ann Young")
    page.get_by_label("Find contacts, accounts, asks, requests and content").fill("ann you")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=ann\+you"))
    expect(page.get_by_test_id("search-group-contacts")).to_contain_text("Ann Young")
