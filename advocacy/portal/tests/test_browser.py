"""The portal in Chromium, on a desktop (1440 px) and a phone (390 px): from the link to an
answer, no horizontal scroll on the phone, nothing refused by the Content-Security-Policy."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from advocacy.content.models import AssetStatus
from advocacy.content.services import create_asset, move_asset
from advocacy.messaging.links import link_path
from advocacy.pipeline.models import Ask, AskStatus
from advocacy.portal.tests.conftest import World

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Where the screenshots go: outside the repository.
SHOTS = Path(os.environ.get("ADVOCACY_SCREENSHOTS", "/tmp/advocacy-portal-screenshots"))
LOGO = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='96' height='32'%3E"
    "%3Crect width='32' height='32' rx='8' fill='%232452c6'/%3E%3C/svg%3E"
)
WIDTHS = {"desktop": (1440, 900), "phone": (390, 844)}


@pytest.fixture(autouse=True)
def program(settings: Any) -> None:
    settings.PROGRAM_NAME = "Acme Champions"
    settings.PROGRAM_LOGO_URL = LOGO


def watch_csp(page: Page) -> list[str]:
    refused: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            refused.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return refused


def no_horizontal_scroll(page: Page) -> bool:
    return bool(
        page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        and page.evaluate("document.body.scrollWidth <= window.innerWidth")
    )


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_from_the_link_to_an_answer(
    page: Page, live_server: Any, world: World, marketer: Any, screen: str
) -> None:
    width, height = WIDTHS[screen]
    page.set_viewport_size({"width": width, "height": height})
    refused = watch_csp(page)
    asset = create_asset(
        kind="quote",
        title="Ann on the weekly report",
        contact=world.ann,
        actor=marketer,
        now=world.now,
        body="It saves us a day a week.",
    )
    move_asset(asset, AssetStatus.ADVOCATE_REVIEW, actor=marketer, now=world.now)
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}{link_path(world.ann.pk, ask_id=world.testimonial.pk)}")
    expect(page.get_by_role("heading", name="Welcome to Acme Champions")).to_be_visible()
    expect(page.get_by_test_id("program-logo")).to_be_visible()
    page.screenshot(path=str(SHOTS / f"portal-enter-{width}.png"), full_page=True)
    # By keyboard: the skip link first, then the one button, pressed with Enter.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Open my advocate portal")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("greeting")).to_have_text("Hello Ann")
    card = page.get_by_test_id("open-ask")
    expect(card).to_have_count(1)
    expect(card.get_by_role("heading", name="Testimonial quote")).to_be_visible()
    expect(card.get_by_test_id("incentive")).to_have_text("Featured on the customers page")
    expect(card.get_by_role("button", name="Accept", exact=True)).to_be_visible()
    expect(card.get_by_role("button", name="Decline", exact=True)).to_be_visible()
    assert no_horizontal_scroll(page), f"{screen}: the asks page scrolls sideways"
    page.screenshot(path=str(SHOTS / f"portal-asks-{width}.png"), full_page=True)

    card.get_by_role("button", name="Decline", exact=True).click()
    expect(page.get_by_test_id("messages")).to_contain_text("no hard feelings")
    alternative = page.get_by_test_id("alternative")
    expect(alternative).to_contain_text("Review (G2, Capterra, TrustRadius)")
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(SHOTS / f"portal-alternative-{width}.png"), full_page=True)
    alternative.get_by_role("button", name="Yes, I'll do that").click()
    expect(page.get_by_test_id("in-progress")).to_contain_text("Review (G2, Capterra")
    fallback = Ask.objects.get(moment=f"fallback:{world.testimonial.pk}")
    assert fallback.status == AskStatus.ACCEPTED

    page.get_by_role("link", name="1 piece of content is waiting for your review").click()
    page.get_by_role("link", name="Review Ann on the weekly report").click()
    expect(page.get_by_test_id("draft")).to_contain_text("It saves us a day a week.")
    page.get_by_label("Show my name").check()
    assert no_horizontal_scroll(page), f"{screen}: the draft page scrolls sideways"
    page.screenshot(path=str(SHOTS / f"portal-content-{width}.png"), full_page=True)
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("messages")).to_contain_text("You approved")
    asset.refresh_from_db()
    assert (asset.status, asset.scopes) == (AssetStatus.APPROVED, ["name", "quote"])

    page.get_by_role("link", name="Preferences").click()
    page.get_by_label("How often may we ask you?").select_option("90")
    page.get_by_label("Email").check()
    assert no_horizontal_scroll(page), f"{screen}: the preferences page scrolls sideways"
    page.screenshot(path=str(SHOTS / f"portal-preferences-{width}.png"), full_page=True)
    page.get_by_test_id("save-preferences").click()
    expect(page.get_by_test_id("messages")).to_contain_text("Saved")

    page.get_by_role("link", name="History").click()
    expect(page.get_by_test_id("history-asks")).to_contain_text("Testimonial quote")
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(SHOTS / f"portal-history-{width}.png"), full_page=True)
    assert refused == []


def test_a_used_link_on_a_phone(page: Page, live_server: Any, world: World) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    refused = watch_csp(page)
    path = link_path(world.ann.pk)
    page.goto(f"{live_server.url}{path}")
    # A double click still lands in the portal, whichever of its two POSTs the browser keeps.
    page.get_by_role("button", name="Open my advocate portal").dblclick()
    expect(page.get_by_test_id("greeting")).to_be_visible()
    page.get_by_test_id("leave").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name="This link was already used")).to_be_visible()
    page.get_by_role("button", name="Email me a fresh link").click()
    asked = page.get_by_role("heading", name="We have asked for a fresh link for you")
    expect(asked).to_be_visible()
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(SHOTS / "portal-used-link-390.png"), full_page=True)
    assert refused == []
