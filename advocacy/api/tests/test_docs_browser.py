"""Browser test of /api/docs: Swagger UI reads the schema and lists the operations.

A schema holding a status twice ("duplicated mapping key") leaves the page without its title.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_every_area_without_a_schema_error(page: Page, live_server: Any) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("advocacy")
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    assert page.locator(".opblock-tag-section").count() >= 10
    expect(page.locator(".swagger-ui .errors-wrapper")).to_have_count(0)
    assert [e for e in errors if "mapping key" in e or "Parser error" in e] == []
