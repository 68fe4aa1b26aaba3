"""Browser test of the metrics dashboard on the demo data: every chart has data in it."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy.pipeline.catalogue import load_catalogue, read_catalogue
from advocacy.pipeline.models import Ask
from advocacy.pipeline.services import advance_asks
from advocacy.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHARTS = ("chart-trend", "chart-asks", "chart-funnel", "chart-ladder", "chart-fill-rate")


def demo_program() -> None:
    """The demo command's program, small, its plays run over the last 60 days; the asks they
    opened then moved along the funnel as people would."""
    load_catalogue(read_catalogue())  # an earlier live-server test flushed the data migration
    out = io.StringIO()
    call_command(
        "demo", "--accounts", "40", "--contacts", "400", "--signals", "12000", "--seed", "7",
        "--engine-days", "60", "--json", stdout=out,
    )  # fmt: skip
    assert json.loads(out.getvalue())["contacts"] == 400
    now = timezone.now().replace(microsecond=0)
    ids = list(Ask.objects.order_by("pk").values_list("pk", flat=True))
    later = now + timedelta(minutes=1)
    for to, share in (("sent", 1), ("accepted", 2), ("completed", 3), ("published", 4)):
        advance_asks(ids[: len(ids) // share], to, actor=None, now=later)


def test_every_chart_of_the_dashboard_has_data(page: Page, live_server: Any, member: Any) -> None:
    demo_program()
    log_in(page, live_server.url, "/metrics/")
    expect(page.get_by_role("heading", name="Metrics", level=1)).to_be_visible()
    for chart in CHARTS:
        marks = page.get_by_test_id(chart).get_by_test_id("chart-mark")
        expect(marks.first).to_be_visible()
        values = [int(v) for v in marks.evaluate_all("els => els.map(e => e.dataset.value)")]
        assert values and min(values) > 0, chart
    # The table behind a chart holds the same numbers.
    page.get_by_test_id("chart-funnel").get_by_text("Table").click()
    expect(page.get_by_test_id("table-funnel")).to_be_visible()

    # A filter swaps the results in place; a number drills down to its rows.
    page.get_by_role("textbox", name="Period").fill("365d")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("metric-period")).to_contain_text("last 365 days")
    page.get_by_test_id("metric-asks_opened").click()
    expect(page.get_by_test_id("metric-rows")).to_be_visible()
    expect(page.get_by_test_id("row").first).to_be_visible()
