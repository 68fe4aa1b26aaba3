"""Browser test of the pipeline board: move a card by keyboard, the server validating it."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy.engine.asks import AskRequest, open_asks
from advocacy.pipeline.catalogue import load_catalogue, read_catalogue
from advocacy.pipeline.models import Ask, AskEvent, AskStatus, AskType
from advocacy.web.tests.conftest import make_account, make_contact
from advocacy.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_move_a_card_by_keyboard(page: Page, live_server: Any, member: Any) -> None:
    load_catalogue(read_catalogue())  # an earlier live-server test flushed the data migration
    contact = make_contact(make_account("Acme"), "Ada", last_name="Lovelace")
    request = AskRequest(
        contact.pk, AskType.objects.get(code="review"), "signal:1", status=AskStatus.SENT
    )
    ask = open_asks([request], now=timezone.now()).opened[0]
    log_in(page, live_server.url, "/pipeline/")
    expect(page.get_by_test_id("count-sent")).to_have_text("1")

    page.get_by_test_id(f"card-{ask.pk}").get_by_test_id("move-accepted").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("board-notice")).to_have_text(f"Ask {ask.pk} moved to accepted.")
    expect(page.get_by_test_id("count-sent")).to_have_text("0")
    expect(page.get_by_test_id("count-accepted")).to_have_text("1")
    expect(page.get_by_test_id(f"card-{ask.pk}").get_by_test_id("move-scheduled")).to_be_visible()
    assert page.url == f"{live_server.url}/pipeline/"  # swapped in place by htmx
    assert Ask.objects.get(pk=ask.pk).status == "accepted"
    assert AskEvent.objects.get(ask=ask, to_status="accepted").actor == member
