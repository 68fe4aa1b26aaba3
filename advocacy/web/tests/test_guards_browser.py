"""Browser test: an advocate left, the ask page suggests a colleague, one click reassigns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy.customers.models import Contact
from advocacy.engine.guards import run_guards
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.engine.tests.guard_world import account, ask, person, promoter, signal
from advocacy.pipeline.catalogue import load_catalogue, read_catalogue
from advocacy.pipeline.models import Ask
from advocacy.web.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reassign_a_leavers_ask_in_one_click(page: Page, live_server: Any, member: Any) -> None:
    load_catalogue(read_catalogue())  # an earlier live-server test flushed the data migration
    now = timezone.now()
    acme = account(owner=member)
    ada, bob = person(acme, "ada"), person(acme, "bob")
    promoter(bob)
    signal(acme, "health_score", value=90, at=now - dt.timedelta(days=3))
    study = ask(ada, at=now - dt.timedelta(days=5))
    Contact.objects.filter(pk=ada.pk).update(left_company_at=now - dt.timedelta(hours=1))
    run_guards(now=now, policy=DEFAULT_POLICY)
    log_in(page, live_server.url, f"/asks/{study.pk}/")
    expect(page.get_by_test_id("paused-reason")).to_have_text("the advocate left the company")

    page.get_by_test_id(f"reassign-{bob.pk}").click()

    new = Ask.objects.get(contact=bob)
    expect(page.get_by_test_id("ask-title")).to_have_text("Case study for Bob")
    expect(page.get_by_test_id("ask-status")).to_have_text("Proposed")
    assert page.url == f"{live_server.url}/asks/{new.pk}/"
    assert Ask.objects.get(pk=study.pk).status == "cancelled"
