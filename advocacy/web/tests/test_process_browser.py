"""Browser tests: drag a card on the board (the server validates the drop), tick a checklist."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy.engine.asks import AskRequest, open_asks
from advocacy.pipeline.catalogue import load_catalogue, read_catalogue
from advocacy.pipeline.checklists import load_default_templates
from advocacy.pipeline.models import Ask, AskEvent, AskStatus, AskType
from advocacy.web.tests.conftest import make_account, make_contact
from advocacy.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sent_review() -> Ask:
    # An earlier live-server test flushed the data migrations: load the catalogue again.
    load_catalogue(read_catalogue())
    load_default_templates(now=timezone.now())
    contact = make_contact(make_account("Acme"), "Ada", last_name="Lovelace")
    request = AskRequest(
        contact.pk, AskType.objects.get(code="review"), "signal:1", status=AskStatus.SENT
    )
    return open_asks([request], now=timezone.now()).opened[0]


def test_drag_a_card_to_a_legal_column_then_to_an_illegal_one(
    page: Page, live_server: Any, member: Any
) -> None:
    ask = sent_review()
    log_in(page, live_server.url, "/pipeline/")
    expect(page.get_by_test_id("count-sent")).to_have_text("1")

    page.get_by_test_id(f"card-{ask.pk}").drag_to(page.get_by_test_id("column-accepted"))

    expect(page.get_by_test_id("board-notice")).to_have_text(f"Ask {ask.pk} moved to accepted.")
    expect(page.get_by_test_id("count-sent")).to_have_text("0")
    expect(page.get_by_test_id("column-accepted").get_by_test_id(f"card-{ask.pk}")).to_be_visible()
    assert AskEvent.objects.get(ask=ask, to_status="accepted").actor == member

    page.get_by_test_id(f"card-{ask.pk}").drag_to(page.get_by_test_id("column-proposed"))

    expect(page.get_by_test_id("board-notice")).to_contain_text(
        f"Not moved: ask {ask.pk}: cannot move from accepted to proposed; "
        "allowed from accepted: scheduled, completed, cancelled."
    )
    expect(page.get_by_test_id("column-accepted").get_by_test_id(f"card-{ask.pk}")).to_be_visible()
    expect(page.get_by_test_id("count-proposed")).to_have_text("0")
    assert Ask.objects.get(pk=ask.pk).status == "accepted"


def test_tick_the_checklist_on_the_ask_page(page: Page, live_server: Any, member: Any) -> None:
    ask = sent_review()
    log_in(page, live_server.url, f"/asks/{ask.pk}/")
    page.get_by_label("Note for step 1").fill("sent on Monday")
    page.get_by_test_id("tick-1").click()
    expect(page.get_by_test_id("step-done-1")).to_contain_text("by member — sent on Monday")

    page.get_by_test_id("tick-2").click()  # "Advocate agrees": moves the ask to accepted

    expect(page.get_by_test_id("ask-status")).to_have_text("Accepted")
    expect(page.get_by_test_id("step-done-2")).to_be_visible()
