"""POST /api/connections/{name}/sync: 202 with the job; the last sync in the connection; roles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from advocacy.customers.models import Deal
from advocacy.integrations.connectors.services import add_connection
from advocacy.integrations.connectors.tests.fake_crm import FakeHubSpot, seeded_hubspot
from advocacy.people.models import Scope

pytestmark = pytest.mark.django_db
TOKEN = "pat-na1-00000000-1111-2222-3333-444444444444"


@pytest.fixture
def crm() -> Iterator[FakeHubSpot]:
    server = seeded_hubspot(TOKEN)
    add_connection("hubspot-crm", "HubSpot", secret=TOKEN, options={"api_url": server.url},
                   actor=None, now=timezone.now())  # fmt: skip
    yield server
    server.close()


def test_a_sync_is_a_job_and_the_connection_shows_its_last_run(api: Any, crm: Any) -> None:
    answer = api.post("/api/connections/HubSpot/sync")
    assert answer.status_code == 202
    job = answer.json()
    assert answer["Location"] == f"/api/jobs/{job['id']}"
    assert (job["kind"], job["state"], job["result"]["counts"]["deals"]["created"]) == (
        "crm_sync",
        "done",
        3,
    )
    assert Deal.objects.count() == 3
    shown = api.get("/api/connections/HubSpot").json()
    assert shown["syncs"] is True
    assert (shown["sync"]["state"], shown["sync"]["pages"]) == ("done", 7)
    assert shown["sync"]["cursors"]["contacts"] == "2026-01-05T11:00:00Z"
    assert shown["sync"]["counts"]["contacts"] == {
        "fetched": 5,
        "skipped": 1,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }


def test_not_a_crm_is_422_an_unknown_name_404(api: Any, crm: Any) -> None:
    add_connection("asknicely", "NPS", actor=None, now=timezone.now())
    refused = api.post("/api/connections/NPS/sync")
    assert (refused.status_code, refused.json()["detail"]) == (
        422,
        "'NPS' is not a CRM connection: it has nothing to sync",
    )
    assert api.post("/api/connections/Nope/sync").status_code == 404
    assert api.get("/api/connections/NPS").json()["sync"] is None


def test_syncing_needs_the_connectors_write_scope(make_client: Any, crm: Any) -> None:
    reader = make_client(Scope.READ)
    assert reader.post("/api/connections/HubSpot/sync").status_code == 403
    assert Deal.objects.count() == 0
