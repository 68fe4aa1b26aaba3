"""The Connections page's CRM sync: "Sync now" starts the job, the last sync's state, counts
and cursors are shown; only admins may press it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from advocacy.customers.models import Deal
from advocacy.integrations.connectors.models import SyncRun
from advocacy.integrations.connectors.services import add_connection
from advocacy.integrations.connectors.tests.fake_crm import FakeHubSpot, seeded_hubspot

pytestmark = pytest.mark.django_db
TOKEN = "pat-na1-00000000-1111-2222-3333-444444444444"


@pytest.fixture(autouse=True)
def _jobs_inline(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def crm() -> Iterator[FakeHubSpot]:
    server = seeded_hubspot(TOKEN)
    add_connection("hubspot-crm", "HubSpot", secret=TOKEN, options={"api_url": server.url},
                   actor=None, now=timezone.now())  # fmt: skip
    yield server
    server.close()


def test_sync_now_starts_the_job_and_the_page_shows_the_last_sync(client, owner, crm):
    client.force_login(owner)
    before = client.get("/connections/").content.decode()
    assert 'data-testid="crm-syncs"' in before and "never" in before
    answer = client.post("/connections/HubSpot/sync/", follow=True)
    page = answer.content.decode()
    assert "Sync of HubSpot started (job " in page
    assert Deal.objects.count() == 3
    assert "Done, " in page
    assert "contacts: 4 new, 0 updated" in page
    assert "deals: 2026-01-08 10:00" in page


def test_a_member_sees_the_sync_but_may_not_start_it(client, member, crm):
    client.force_login(member)
    page = client.get("/connections/").content.decode()
    assert 'data-testid="crm-syncs"' in page and "Sync now" not in page
    assert client.post("/connections/HubSpot/sync/").status_code == 403
    assert SyncRun.objects.count() == 0


def test_adding_a_crm_shows_no_address_to_give(client, owner):
    client.force_login(owner)
    page = client.post("/connections/", {"kind": "hubspot-crm", "name": "CRM", "secret": TOKEN,
                                         "options": "currency=EUR"}, follow=True)  # fmt: skip
    text = page.content.decode()
    assert "CRM added: it is synced every 15 minutes, or now with Sync now." in text
    assert 'data-testid="connection-url"' not in text and TOKEN not in text
    assert 'data-testid="crm-syncs"' in text
