"""Browser test: an admin adds a connection, sees its address once, and finds it listed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from advocacy.web.tests.test_browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_add_a_connection_and_see_its_address_once(
    page: Page, live_server: Any, owner: Any, tmp_path: Path
) -> None:
    log_in(page, live_server.url, "/connections/", username="owner")
    page.get_by_label("Connector").select_option("asknicely")
    page.get_by_label("Name").fill("AskNicely NPS")
    page.get_by_test_id("connection-submit").click()
    expect(page.get_by_test_id("connection-url")).to_contain_text("/hooks/")
    page.screenshot(path=str(tmp_path / "connections.png"), full_page=True)
    page.goto(f"{live_server.url}/connections/")
    expect(page.get_by_test_id("connections")).to_contain_text("AskNicely NPS")
    expect(page.get_by_test_id("connection-url")).to_have_count(0)
