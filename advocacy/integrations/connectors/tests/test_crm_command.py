"""`advocacy connectors sync NAME`: the run's counts and cursors, the reason it stopped, roles;
the scheduled job that syncs every CRM connection; the job the web UI and the API start."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from advocacy.core import scheduler
from advocacy.core.models import Job
from advocacy.customers.models import Contact, Deal
from advocacy.integrations.connectors.jobs import start_sync
from advocacy.integrations.connectors.models import SyncRun
from advocacy.integrations.connectors.services import add_connection, get_connection
from advocacy.integrations.connectors.tasks import sync_crms
from advocacy.integrations.connectors.tests.fake_crm import FakeHubSpot, seeded_hubspot

pytestmark = pytest.mark.django_db
TOKEN = "pat-na1-00000000-1111-2222-3333-444444444444"


@pytest.fixture
def crm() -> Iterator[FakeHubSpot]:
    server = seeded_hubspot(TOKEN)
    add_connection("hubspot-crm", "HubSpot", secret=TOKEN, options={"api_url": server.url},
                   actor=None, now=timezone.now())  # fmt: skip
    yield server
    server.close()


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("connectors", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_sync_prints_the_counts_and_cursors_and_draws_its_progress(crm):
    out, err = run("sync", "HubSpot")
    assert out.splitlines() == [
        "sync of HubSpot: done, 7 pages",
        "  companies: 3 read, 3 new, 0 updated, 0 unchanged, 0 refused, 0 skipped",
        "  contacts: 5 read, 4 new, 0 updated, 0 unchanged, 0 refused, 1 skipped",
        "  deals: 3 read, 3 new, 0 updated, 0 unchanged, 0 refused, 0 skipped",
        "  deal contacts: 0 read, 3 new, 0 updated, 0 unchanged, 0 refused, 0 skipped",
        "  cursor companies: 2026-01-03T10:00:00+00:00",
        "  cursor contacts: 2026-01-05T11:00:00+00:00",
        "  cursor deals: 2026-01-08T10:00:00+00:00",
    ]
    assert "syncing HubSpot" in err and "11/11" in err


def test_sync_json_then_show_has_the_last_run(crm):
    data = json.loads(run("sync", "HubSpot", "--json")[0])
    assert (data["state"], data["pages"], data["counts"]["deals"]["created"]) == ("done", 7, 3)
    shown = json.loads(run("show", "HubSpot", "--json")[0])
    assert shown["syncs"] is True
    assert (shown["sync"]["state"], shown["sync"]["cursors"]["deals"]) == (
        "done",
        "2026-01-08T10:00:00+00:00",
    )


def test_a_stopped_sync_says_why_and_that_the_next_goes_on(crm):
    crm.fail("/crm/v3/objects/deals/search", 1, 500)
    with pytest.raises(CommandError, match=r"the sync stopped: HubSpot CRM answered 500 .*"
                                           r"\(the next one goes on from here\)"):  # fmt: skip
        run("sync", "HubSpot")
    assert Contact.objects.count() == 4 and Deal.objects.count() == 0


def test_only_crm_connections_sync_and_only_admins_start_it(crm, member, owner):
    add_connection("asknicely", "NPS", actor=None, now=timezone.now())
    with pytest.raises(CommandError, match="'NPS' is not a CRM connection"):
        run("sync", "NPS")
    with pytest.raises(CommandError, match="no connection named 'Nope'"):
        run("sync", "Nope")
    with pytest.raises(CommandError, match="may not add or remove connections, replay"):
        run("sync", "HubSpot", "--as", "member")
    assert SyncRun.objects.count() == 0
    run("sync", "HubSpot", "--as", "owner")
    assert SyncRun.objects.get().state == "done"


def test_the_scheduled_job_syncs_every_crm_connection_in_use(crm):
    assert scheduler.REGISTRY["crm-sync"].every.total_seconds() == 900
    assert sync_crms.call() == {"HubSpot": "done"}
    assert Deal.objects.count() == 3


def test_the_job_runs_the_sync_and_keeps_its_result(crm, owner):
    job = start_sync("HubSpot", actor=owner, now=timezone.now())
    job = Job.objects.get(pk=job.pk)
    assert (job.kind, job.state, job.unit, job.done, job.total) == (
        "crm_sync",
        "done",
        "records",
        11,
        11,
    )
    assert job.result["counts"]["contacts"]["created"] == 4
    assert SyncRun.objects.get().job_id == job.pk
    assert get_connection("HubSpot").sync["state"] == "done"


def test_a_failed_job_keeps_the_reason(crm, owner):
    crm.fail("/crm/v3/objects/companies/search", 1, 500)
    job = Job.objects.get(pk=start_sync("HubSpot", actor=owner, now=timezone.now()).pk)
    assert job.state == "failed"
    assert job.message.startswith("HubSpot CRM answered 500 to POST /crm/v3/objects/companies")


def test_adding_a_crm_says_how_it_syncs_and_not_to_give_out_an_address():
    out, _ = run("add", "salesforce", "--name", "SF", "--secret", '{"refresh_token": "rt"}',
                 "--option", "client_id=consumer-key")  # fmt: skip
    assert out.strip() == ("Connection 'SF' (Salesforce): synced every 15 minutes; `advocacy "
                           "connectors sync 'SF'` syncs it now. The secret cannot be shown "
                           "again.")  # fmt: skip
