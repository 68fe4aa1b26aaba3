"""Browser test of the content library: filter by consent scope, then approve an asset."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from advocacy.content.models import Asset, AssetEvent
from advocacy.content.tests.conftest import asset_in
from advocacy.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filter_the_library_by_consent_then_approve(
    page: Page, live_server: Any, marketer: Any
) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=365)
    press = asset_in(
        "advocate_review", kind="case_study", scopes=["press", "name"], expires_at=later
    )
    quote = asset_in("approved", kind="quote", scopes=["quote"], expires_at=later)
    log_in(page, live_server.url, "/content/", username="marketer")
    expect(page.get_by_test_id("asset-count")).to_have_text("2 assets")

    page.get_by_label("Consent covers").select_option("press")

    expect(page.get_by_test_id("asset-count")).to_have_text("1 asset")
    expect(page.get_by_test_id(f"asset-row-{press.pk}")).to_be_visible()
    expect(page.get_by_test_id(f"asset-row-{quote.pk}")).to_have_count(0)
    assert "scope=press" in page.url  # the filter is in the address, for a bookmark

    page.get_by_test_id(f"asset-row-{press.pk}").get_by_role("link").click()
    expect(page.get_by_test_id("asset-status")).to_have_text("Advocate review")
    page.get_by_test_id("asset-moves").get_by_label("Note").fill("approved by email")
    page.get_by_test_id("move-approved").click()

    expect(page.get_by_test_id("asset-status")).to_have_text("Approved")
    expect(page.get_by_test_id("move-published")).to_be_visible()
    assert Asset.objects.get(pk=press.pk).status == "approved"
    event = AssetEvent.objects.get(asset=press, to_status="approved")
    assert (event.actor, event.note) == (marketer, "approved by email")


def test_revoking_asks_first_and_a_no_keeps_the_asset(
    page: Page, live_server: Any, marketer: Any
) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=365)
    asset = asset_in("approved", kind="quote", scopes=["quote"], expires_at=later)
    log_in(page, live_server.url, f"/content/{asset.pk}/", username="marketer")
    questions: list[str] = []

    def answer(dialog: Any, yes: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if yes else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_test_id("move-revoked").click()
    expect(page.get_by_test_id("asset-status")).to_have_text("Approved")
    assert questions == [
        f"Revoke {asset.title}? It can no longer be published or used, and revoking cannot be "
        "undone."
    ]
    assert Asset.objects.get(pk=asset.pk).status == "approved"

    page.once("dialog", lambda dialog: answer(dialog, True))
    page.get_by_test_id("move-revoked").click()
    expect(page.get_by_test_id("asset-status")).to_have_text("Revoked")
    assert len(questions) == 2 and Asset.objects.get(pk=asset.pk).status == "revoked"
    # Publishing, the expected move, asks nothing: it is the primary button.
    other = asset_in("approved", kind="quote", scopes=["quote"], expires_at=later)
    page.goto(f"{live_server.url}/content/{other.pk}/")
    expect(page.get_by_test_id("move-published")).to_have_class("button button--small")
    page.get_by_test_id("move-published").click()
    expect(page.get_by_test_id("asset-status")).to_have_text("Published")
    assert len(questions) == 2
