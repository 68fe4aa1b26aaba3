"""HubSpot CRM sync against a local fake speaking CRM v3: pages, 429s, expired tokens, a 500
mid-way, and the cursor that makes the next run go on with 0 duplicates."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from advocacy.customers.models import (
    Account,
    AccountIdentity,
    Contact,
    ContactIdentity,
    Deal,
    DealContact,
)
from advocacy.integrations.connectors import vault
from advocacy.integrations.connectors.crm import CrmError, sync
from advocacy.integrations.connectors.models import Connection, SyncCursor, SyncRun
from advocacy.integrations.connectors.services import ConnectorError, add_connection
from advocacy.integrations.connectors.tests.fake_crm import (
    FakeHubSpot,
    company,
    person,
    seeded_hubspot,
    to,
)

pytestmark = pytest.mark.django_db
TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"


@pytest.fixture
def crm() -> Iterator[FakeHubSpot]:
    server = seeded_hubspot(TOKEN)
    yield server
    server.close()


def connect(crm: FakeHubSpot, secret: str = TOKEN, **options: str) -> Connection:
    connection, _ = add_connection(
        "hubspot-crm", "HubSpot", secret=secret, options={"api_url": crm.url, **options},
        actor=None, now=timezone.now(),
    )  # fmt: skip
    return connection


def run(waits: list[float] | None = None) -> SyncRun:
    return sync("HubSpot", now=timezone.now, sleep=(waits if waits is not None else []).append)


def counts(r: SyncRun, obj: str) -> dict[str, int]:
    return r.counts[obj]


def test_a_first_sync_pages_through_companies_contacts_and_deals_with_their_associations(crm):
    connect(crm)
    r = run()
    assert (r.state, r.error, r.pages) == ("done", "", 2 + 3 + 2)
    assert counts(r, "companies") == {"fetched": 3, "skipped": 0, "created": 3, "updated": 0,
                                      "unchanged": 0, "rejected": 0}  # fmt: skip
    assert counts(r, "contacts") == {"fetched": 5, "skipped": 1, "created": 4, "updated": 0,
                                     "unchanged": 0, "rejected": 0}  # fmt: skip
    assert counts(r, "deal contacts")["created"] == 3
    ids = AccountIdentity.objects.values_list("source", "external_id", "account__domain")
    assert sorted(ids) == [
        ("hubspot", "101", "acme.com"), ("hubspot", "102", "globex.com"),
        ("hubspot", "103", "initech.com")]  # fmt: skip
    assert sorted(ContactIdentity.objects.values_list("external_id", "contact__email",
                                                      "contact__account__name")) == [
        ("201", "ada@acme.com", "Acme"), ("202", "bob@globex.com", "Globex"),
        ("203", "cy@initech.com", "Initech"), ("205", "dee@acme.com", "Acme")]  # fmt: skip
    won = Deal.objects.get(external_id="301")
    assert (won.source, won.name, won.account.name, won.amount, won.currency, won.stage,
            won.is_won, won.is_closed, won.closed_on) == (
        "hubspot", "Acme expansion", "Acme", Decimal("12000.50"), "USD", "closedwon", True,
        True, date(2026, 1, 20))  # fmt: skip
    assert won.opened_at == datetime(2025, 11, 1, 9, tzinfo=UTC)
    open_deal = Deal.objects.get(external_id="302")
    assert (open_deal.is_closed, open_deal.closed_on, open_deal.amount) == (
        False,
        None,
        Decimal("48000.00"),
    )
    assert Deal.objects.get(external_id="303").amount is None
    links = DealContact.objects.values_list("deal__external_id", "contact__email", "role")
    assert sorted(links) == [
        ("301", "ada@acme.com", "Decision maker"), ("301", "dee@acme.com", ""),
        ("302", "bob@globex.com", "")]  # fmt: skip
    cursor = SyncCursor.objects.get(object="contacts")
    assert (cursor.modified_at, cursor.last_id, cursor.synced) == (
        datetime(2026, 1, 5, 11, tzinfo=UTC),
        "205",
        5,
    )
    searches = [body for method, path, body in crm.calls if path.endswith("/contacts/search")]
    assert searches[0]["filterGroups"] == [] and searches[0]["limit"] == 100
    assert searches[1]["after"] == "2"


def test_the_next_sync_asks_from_the_cursor_and_creates_nothing(crm):
    connect(crm)
    run()
    crm.calls.clear()
    again = run()
    assert again.state == "done"
    first = next(body for _, path, body in crm.calls if path.endswith("/companies/search"))
    assert first["filterGroups"] == [{"filters": [{"propertyName": "hs_lastmodifieddate",
        "operator": "GTE", "value": str(int(datetime(2026, 1, 3, 10, tzinfo=UTC).timestamp()
                                            * 1000))}]}]  # fmt: skip
    for obj in ("companies", "contacts", "deals"):
        assert counts(again, obj)["created"] == 0
        assert counts(again, obj)["unchanged"] == 1  # the record at the cursor, read again
    assert (
        Account.objects.count(),
        Contact.objects.count(),
        Deal.objects.count(),
        DealContact.objects.count(),
    ) == (3, 4, 3, 3)


def test_a_changed_record_is_updated_in_place_and_a_dropped_association_removed(crm):
    connect(crm)
    run()
    crm.records["deals"][0]["properties"] |= {"amount": "15000", "hs_lastmodifieddate":
                                              "2026-02-01T00:00:00Z"}  # fmt: skip
    crm.associations[("deals", "301", "contacts")] = [to(201, (3, None))]
    again = run()
    assert counts(again, "deals") == {"fetched": 2, "skipped": 0, "created": 0, "updated": 1,
                                      "unchanged": 1, "rejected": 0}  # fmt: skip
    assert Deal.objects.get(external_id="301").amount == Decimal("15000.00")
    assert sorted(DealContact.objects.values_list("deal__external_id", "contact__email")) == [
        ("301", "ada@acme.com"),
        ("302", "bob@globex.com"),
    ]


def test_a_429_is_waited_out_as_retry_after_says(crm):
    connect(crm)
    crm.fail("/crm/v3/objects/contacts/search", 2, 429, Retry_After="3")
    waits: list[float] = []
    r = run(waits)
    assert (r.state, r.retries, waits) == ("done", 1, [3.0])
    assert Contact.objects.count() == 4


def test_throttled_without_retry_after_backs_off_1_2_4_then_stops(crm):
    connect(crm)
    for nth in range(1, 7):
        crm.fail("/crm/v3/objects/companies/search", nth, 429)
    waits: list[float] = []
    r = run(waits)
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert r.state == "failed" and r.error.startswith("HubSpot CRM answered 429 to POST")
    assert Account.objects.count() == 0


def test_an_expired_oauth_token_is_renewed_and_the_request_sent_again(crm):
    secret = json.dumps({"client_secret": "cs", "refresh_token": "rt-1"})
    connection = connect(crm, secret, client_id="client-1")
    crm.fail("/crm/v3/objects/contacts/search", 2, 401)
    r = run()
    assert (r.state, r.retries) == ("done", 1)
    tokens = [body for _, path, body in crm.calls if path.startswith("/oauth/v1/token")]
    assert tokens == [{"grant_type": "refresh_token", "client_id": "client-1",
                       "client_secret": "cs", "refresh_token": "rt-1"}] * 2  # fmt: skip
    connection.refresh_from_db()
    assert json.loads(vault.unseal(connection.access_encrypted))["access_token"] == "access-2"
    assert Contact.objects.count() == 4


def test_a_revoked_private_app_token_stops_the_run_with_the_reason(crm):
    connect(crm)
    crm.fail("/crm/v3/objects/companies/search", 1, 401)
    r = run()
    assert r.state == "failed"
    assert r.error == ("HubSpot CRM answered 401 to POST /crm/v3/objects/companies/search: "
                       "fault")  # fmt: skip


def test_a_500_mid_way_keeps_the_pages_written_and_the_next_run_goes_on_without_duplicates(crm):
    connect(crm)
    crm.fail("/crm/v3/objects/contacts/search", 2, 500)
    first = run()
    assert first.state == "failed"
    assert first.error.startswith("HubSpot CRM answered 500 to POST /crm/v3/objects/contacts")
    assert sorted(Contact.objects.values_list("email", flat=True)) == [
        "ada@acme.com",
        "bob@globex.com",
    ]
    cursor = SyncCursor.objects.get(object="contacts")
    assert (cursor.modified_at, cursor.last_id) == (datetime(2026, 1, 2, 11, tzinfo=UTC), "202")
    assert Deal.objects.count() == 0
    second = run()
    assert second.state == "done"
    assert counts(second, "contacts") == {"fetched": 4, "skipped": 1, "created": 2,
                                          "updated": 0, "unchanged": 1, "rejected": 0}  # fmt: skip
    assert Contact.objects.count() == 4
    assert ContactIdentity.objects.count() == 4
    assert (Deal.objects.count(), DealContact.objects.count()) == (3, 3)


def test_one_sync_at_a_time(crm):
    connection = connect(crm)
    SyncRun.objects.create(connection=connection, started_at=timezone.now())
    with pytest.raises(CrmError, match="a sync of 'HubSpot' is running already"):
        run()


def test_the_secret_is_checked_when_the_connection_is_added(crm):
    with pytest.raises(ConnectorError, match="give a private app's access token"):
        connect(crm, '{"client_secret": "x"}')
    with pytest.raises(ConnectorError, match="--secret is required"):
        connect(crm, "")


def test_a_crm_connection_takes_no_webhooks(client, crm):
    _, url = add_connection("hubspot-crm", "CRM", secret=TOKEN, options={}, actor=None,
                            now=timezone.now())  # fmt: skip
    answer = client.post(urlsplit(url).path, data=b"[]", content_type="application/json")
    assert answer.status_code == 401


def test_a_secret_sealed_under_another_key_fails_the_run_and_frees_it(crm, settings):
    connect(crm)
    settings.SECRET_KEY = "another key entirely, of the right length for the checks"
    r = run()
    assert (r.state, r.error) == (
        "failed",
        "the connection's secret was stored under another ADVOCACY_SECRET_KEY: set it again",
    )
    assert SyncRun.objects.filter(state="running").count() == 0


@pytest.mark.parametrize("size", [4, 80])
def test_a_page_is_written_in_a_constant_number_of_queries(
    crm, size, django_assert_max_num_queries
):
    crm.page_size = 100
    crm.records = {
        "companies": [company(str(1000 + i), f"Co {i}", f"co{i}.com", "2026-01-01T10:00:00Z")
                      for i in range(size)],
        "contacts": [person(str(2000 + i), f"p{i}@co{i}.com", str(1000 + i),
                            "2026-01-02T10:00:00Z") for i in range(size)],
        "deals": [],
    }  # fmt: skip
    connect(crm)
    # 46 for 4 records a page as for 80: the same queries per page, whatever its size.
    with django_assert_max_num_queries(46):
        r = run()
    assert (r.state, r.pages, Contact.objects.count()) == ("done", 2, size)
