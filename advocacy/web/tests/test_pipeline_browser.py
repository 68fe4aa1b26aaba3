"""Browser tests of the pipeline board: moves by keyboard and by drag and drop, the server
validating each; columns that scroll on their own; no sideways scroll on a phone."""

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


def open_ask(first_name: str, status: str, code: str = "review") -> Ask:
    contact = make_contact(make_account(f"{first_name} Inc"), first_name, last_name="Tester")
    request = AskRequest(
        contact.pk, AskType.objects.get(code=code), f"signal:{first_name}", status=status
    )
    return open_asks([request], now=timezone.now()).opened[0]


def moves() -> list[tuple[int, str, str]]:
    """Every move recorded after the asks were opened: (ask, from, to)."""
    return list(
        AskEvent.objects.exclude(from_status="")
        .order_by("id")
        .values_list("ask_id", "from_status", "to_status")
    )


def test_move_a_card_by_keyboard(page: Page, live_server: Any, member: Any) -> None:
    load_catalogue(read_catalogue())  # an earlier live-server test flushed the data migration
    ask = open_ask("Ada", AskStatus.SENT)
    log_in(page, live_server.url, "/pipeline/")
    expect(page.get_by_test_id("count-sent")).to_have_text("1")

    card = page.get_by_test_id(f"card-{ask.pk}")
    card.get_by_test_id("move-menu").locator("summary").focus()
    page.keyboard.press("Enter")  # opens the Move menu
    card.get_by_test_id("move-accepted").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("board-notice")).to_have_text(f"Ask {ask.pk} moved to accepted.")
    expect(page.get_by_test_id("count-sent")).to_have_text("0")
    expect(page.get_by_test_id("count-accepted")).to_have_text("1")
    expect(page.get_by_test_id(f"card-{ask.pk}").get_by_test_id("move-menu")).to_be_visible()
    assert page.url == f"{live_server.url}/pipeline/"  # swapped in place by htmx
    assert Ask.objects.get(pk=ask.pk).status == "accepted"
    assert AskEvent.objects.get(ask=ask, to_status="accepted").actor == member


def test_a_drag_moves_exactly_the_dragged_ask(page: Page, live_server: Any, member: Any) -> None:
    """GIVEN three sent asks and an accepted one
    WHEN one sent card is dragged onto Accepted, then another onto Scheduled (not allowed from
    sent), then the accepted one, grabbed by a button of its open Move menu, onto Closed
    THEN exactly the dragged ask moves each time, to the column it was dropped on, and the
    illegal drop is refused with a message naming the moves allowed."""
    load_catalogue(read_catalogue())
    ada, bob, cy = (open_ask(name, AskStatus.SENT) for name in ("Ada", "Bob", "Cy"))
    dee = open_ask("Dee", AskStatus.ACCEPTED)
    log_in(page, live_server.url, "/pipeline/")
    expect(page.get_by_test_id("count-sent")).to_have_text("3")

    page.get_by_test_id(f"card-{bob.pk}").drag_to(page.get_by_test_id("column-accepted"))

    expect(page.get_by_test_id("board-notice")).to_have_text(f"Ask {bob.pk} moved to accepted.")
    expect(page.get_by_test_id("count-sent")).to_have_text("2")
    expect(page.get_by_test_id("count-accepted")).to_have_text("2")
    expect(page.get_by_test_id("column-accepted").get_by_test_id(f"card-{bob.pk}")).to_be_visible()
    assert moves() == [(bob.pk, "sent", "accepted")]
    assert dict(Ask.objects.values_list("pk", "status")) == {
        ada.pk: "sent",
        bob.pk: "accepted",
        cy.pk: "sent",
        dee.pk: "accepted",
    }

    # Scheduled is not a move of a sent ask: refused, and nothing moves.
    page.get_by_test_id(f"card-{cy.pk}").drag_to(page.get_by_test_id("column-scheduled"))

    notice = page.get_by_test_id("board-notice")
    expect(notice).to_have_text(
        f"Not moved: ask {cy.pk}: cannot move from sent to scheduled; "
        "allowed from sent: accepted, declined, expired, cancelled."
    )
    expect(notice).to_have_attribute("role", "alert")
    expect(page.get_by_test_id("column-sent").get_by_test_id(f"card-{cy.pk}")).to_be_visible()
    expect(page.get_by_test_id("count-scheduled")).to_have_text("0")
    assert moves() == [(bob.pk, "sent", "accepted")]

    # Grabbed by the menu's "→ Scheduled" button, dropped on Closed: the drop decides.
    card = page.get_by_test_id(f"card-{dee.pk}")
    card.get_by_test_id("move-menu").locator("summary").click()
    card.get_by_test_id("move-scheduled").drag_to(page.get_by_test_id("column-closed"))

    expect(page.get_by_test_id("board-notice")).to_have_text(f"Ask {dee.pk} moved to completed.")
    expect(page.get_by_test_id("column-closed").get_by_test_id(f"card-{dee.pk}")).to_be_visible()
    assert moves() == [(bob.pk, "sent", "accepted"), (dee.pk, "accepted", "completed")]
    assert Ask.objects.get(pk=ada.pk).status == "sent"


def test_a_drag_across_a_refresh_of_the_board_moves_the_card_it_shows(
    page: Page, live_server: Any, member: Any
) -> None:
    """GIVEN a card dragged from a board that htmx swaps while the drag is on (a filter, a
    move's answer); WHEN it is dropped THEN nothing moves but by a new drag, which moves the
    card dragged."""
    load_catalogue(read_catalogue())
    ada, bob = open_ask("Ada", AskStatus.SENT), open_ask("Bob", AskStatus.SENT)
    log_in(page, live_server.url, "/pipeline/")
    expect(page.get_by_test_id("count-sent")).to_have_text("2")

    source = page.get_by_test_id(f"card-{ada.pk}")
    source.hover()
    page.mouse.down()
    page.get_by_test_id("column-queued").hover()
    page.get_by_test_id("column-accepted").hover()
    # The board is swapped under the drag, as the answer to an earlier move would.
    page.evaluate("window.htmx.ajax('GET', '/pipeline/', {target: '#board', swap: 'innerHTML'})")
    expect(page.get_by_test_id("column-sent")).to_have_attribute("data-label", "Sent")
    page.wait_for_timeout(300)
    page.get_by_test_id("column-accepted").hover()
    page.mouse.up()
    page.wait_for_timeout(500)
    assert moves() == []

    page.get_by_test_id(f"card-{bob.pk}").drag_to(page.get_by_test_id("column-accepted"))
    expect(page.get_by_test_id("board-notice")).to_have_text(f"Ask {bob.pk} moved to accepted.")
    assert moves() == [(bob.pk, "sent", "accepted")]


@pytest.mark.parametrize("width", [1440, 390])
def test_columns_scroll_on_their_own_and_the_page_never_sideways(
    page: Page, live_server: Any, member: Any, width: int
) -> None:
    load_catalogue(read_catalogue())
    for i in range(60):
        open_ask(f"Sam{i}", AskStatus.SENT)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "/pipeline/")
    expect(page.get_by_test_id("count-sent")).to_have_text("60")
    cards = page.get_by_test_id("cards-sent")
    expect(cards.locator(".askcard")).to_have_count(50)
    expect(page.get_by_test_id("more-sent")).to_contain_text("Show more")
    sizes = cards.evaluate("e => [e.scrollHeight, e.clientHeight, getComputedStyle(e).overflowY]")
    assert sizes[0] > sizes[1] and sizes[2] == "auto"  # the column scrolls, not the page
    column = page.get_by_test_id("column-sent").bounding_box()
    assert column is not None and column["height"] <= 900
    assert page.evaluate("document.documentElement.scrollWidth") == width

    page.get_by_test_id("more-sent").click()
    expect(cards.locator(".askcard")).to_have_count(60)
    expect(page.get_by_test_id("more-sent")).to_have_count(0)
