"""Browser test: a member issues a champion's badge on the contact page, opens its public page
(the image drawn), then revokes it after the confirmation and the page is gone."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy.recognition.models import Badge
from advocacy.recognition.tests.world import champion
from advocacy.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_issue_open_and_revoke_a_badge(page: Page, live_server: Any, member: Any) -> None:
    ada = champion("ada@acme.example", at=timezone.now())
    log_in(page, live_server.url, f"/contacts/{ada.pk}/")
    page.get_by_test_id("badge-issue").click()
    expect(page.get_by_test_id("badge-link")).to_be_visible()
    badge = Badge.objects.get(contact=ada)

    page.goto(f"{live_server.url}/badge/{badge.token}/")
    expect(page.get_by_test_id("badge-page")).to_contain_text("Customer Champion")
    image = page.get_by_test_id("badge-image")
    page.wait_for_function("img => img.complete", arg=image.element_handle())
    width = image.evaluate("img => img.naturalWidth")
    assert width == 1200  # the SVG was served and drawn

    page.goto(f"{live_server.url}/contacts/{ada.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("badge-revoke").click()
    expect(page.get_by_test_id("badge-issue")).to_be_visible()
    assert Badge.objects.live().count() == 0
    response = page.goto(f"{live_server.url}/badge/{badge.token}/")
    assert response is not None and response.status == 404
