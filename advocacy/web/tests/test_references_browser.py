"""Browser test of the reference desk: file a request, pick a candidate, see it filled."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy.pipeline.catalogue import load_catalogue, read_catalogue
from advocacy.references.models import ReferenceRequest
from advocacy.references.pool import refresh_pool
from advocacy.references.tests.world import advocate
from advocacy.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_file_a_request_pick_a_candidate_and_see_it_filled(
    page: Page, live_server: Any, member: Any
) -> None:
    load_catalogue(read_catalogue())  # an earlier live-server test flushed the data migration
    now = timezone.now()
    advocate("ann.lee@a.example", products=("Core Platform",), at=now)
    advocate("bob.ray@b.example", region="apac", at=now)
    refresh_pool(now=now)
    log_in(page, live_server.url, "/")
    page.get_by_test_id("nav-references").click()
    page.get_by_test_id("file-request").click()

    page.get_by_label("Opportunity", exact=True).fill("Globex expansion")
    page.get_by_label("Prospect company").fill("Globex")
    page.get_by_label("Industry").fill("SaaS")
    page.get_by_label("Region").select_option("emea")
    page.get_by_label("Size band").select_option("enterprise")
    page.get_by_label("Products").fill("Core Platform")
    page.get_by_label("Needed by").fill((now + timedelta(days=14)).date().isoformat())
    page.get_by_test_id("request-submit").click()

    expect(page.get_by_test_id("request-status")).to_have_text("Open")
    first = page.get_by_test_id("candidate-1")
    expect(first).to_contain_text("Ann Lee")
    expect(first).to_contain_text("same industry (SaaS) +3")
    first.get_by_test_id("offer").click()
    expect(page.get_by_test_id("request-status")).to_have_text("Offered")
    page.get_by_test_id("accept").click()
    starts = (now + timedelta(days=2)).strftime("%Y-%m-%dT15:00")
    page.get_by_label("Starts at").fill(starts)
    page.get_by_test_id("schedule").click()

    expect(page.get_by_test_id("request-status")).to_have_text("Scheduled")
    expect(page.get_by_test_id("filled")).to_be_visible()
    expect(page.get_by_test_id("invite")).to_be_visible()
    request = ReferenceRequest.objects.get()
    assert request.filled_at is not None
    assert request.offers.get().contact.email == "ann.lee@a.example"
