"""Salesforce sync against a local fake speaking the REST API: SOQL pages by nextRecordsUrl,
the refresh token flow, 429s, a 500 mid-way and the exact resume from the cursor."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from advocacy.customers.models import Account, Contact, ContactIdentity, Deal, DealContact
from advocacy.integrations.connectors import vault
from advocacy.integrations.connectors.crm import Position, sync
from advocacy.integrations.connectors.models import Connection, SyncCursor, SyncRun
from advocacy.integrations.connectors.services import ConnectorError, add_connection
from advocacy.integrations.connectors.tests.fake_crm import FakeSalesforce
from advocacy.integrations.connectors.vendors.salesforce import soql

pytestmark = pytest.mark.django_db
SECRET = json.dumps({"refresh_token": "5Aep861refresh", "client_secret": "sf-secret"})


def at(day: int, hour: int = 10) -> str:
    return f"2026-01-{day:02d}T{hour:02d}:00:00.000+0000"


def sf_id(prefix: str, n: int) -> str:
    return f"{prefix}{n:015d}"


@pytest.fixture
def crm() -> Iterator[FakeSalesforce]:
    server = FakeSalesforce()
    a1, a2 = sf_id("001", 1), sf_id("001", 2)
    server.records = {
        "Account": [
            {"Id": a1, "Name": "Acme", "Website": "www.acme.com", "Industry": "Software",
             "NumberOfEmployees": 250, "LastModifiedDate": at(1)},
            {"Id": a2, "Name": "Globex", "Website": None, "Industry": None,
             "NumberOfEmployees": None, "LastModifiedDate": at(1)},  # the same moment
            {"Id": sf_id("001", 3), "Name": "Initech", "Website": "initech.com",
             "Industry": "Banking", "NumberOfEmployees": 12000, "LastModifiedDate": at(2)},
        ],
        "Contact": [
            {"Id": sf_id("003", i), "Email": f"p{i}@acme.com", "FirstName": f"P{i}",
             "LastName": "Doe", "Title": "Director", "Phone": None, "AccountId": a1,
             "LastModifiedDate": at(3, i)}
            for i in range(1, 6)
        ] + [{"Id": sf_id("003", 6), "Email": None, "FirstName": "No", "LastName": "Mail",
              "Title": None, "Phone": None, "AccountId": a2, "LastModifiedDate": at(3, 7)}],
        "Opportunity": [
            {"Id": sf_id("006", 1), "Name": "Acme - expansion", "AccountId": a1,
             "Amount": 25000.0, "StageName": "Closed Won", "IsWon": True, "IsClosed": True,
             "CloseDate": "2026-01-15", "CreatedDate": at(1, 8), "LastModifiedDate": at(4)},
            {"Id": sf_id("006", 2), "Name": "Globex - new", "AccountId": a2, "Amount": None,
             "StageName": "Prospecting", "IsWon": False, "IsClosed": False,
             "CloseDate": "2026-03-31", "CreatedDate": at(2, 8), "LastModifiedDate": at(4)},
        ],
        "OpportunityContactRole": [
            {"Id": sf_id("00K", 1), "OpportunityId": sf_id("006", 1),
             "ContactId": sf_id("003", 1), "Role": "Economic Buyer", "IsPrimary": True,
             "LastModifiedDate": at(5)},
            {"Id": sf_id("00K", 2), "OpportunityId": sf_id("006", 1),
             "ContactId": sf_id("003", 2), "Role": None, "IsPrimary": False,
             "LastModifiedDate": at(5)},
        ],
    }  # fmt: skip
    yield server
    server.close()


def connect(crm: FakeSalesforce, secret: str = SECRET, **options: str) -> Connection:
    connection, _ = add_connection(
        "salesforce", "Salesforce", secret=secret,
        options={"login_url": crm.url, "client_id": "consumer-key", **options},
        actor=None, now=timezone.now(),
    )  # fmt: skip
    return connection


def run(waits: list[float] | None = None) -> SyncRun:
    return sync("Salesforce", now=timezone.now, sleep=(waits if waits is not None else []).append)


def queries(crm: FakeSalesforce) -> list[str]:
    return [parse_qs(urlsplit(path).query)["q"][0] for m, path, _ in crm.calls
            if urlsplit(path).path.endswith("/query")]  # fmt: skip


def test_the_query_goes_on_after_the_cursor_record_exactly():
    moment = datetime(2026, 1, 3, 12, tzinfo=UTC)
    assert soql("Contact", Position()) == (
        "SELECT Id, Email, FirstName, LastName, Title, Phone, AccountId, LastModifiedDate "
        "FROM Contact ORDER BY LastModifiedDate, Id"
    )
    assert soql("Account", Position(moment, "001000000000001")).endswith(
        " FROM Account WHERE (LastModifiedDate > 2026-01-03T12:00:00Z OR (LastModifiedDate = "
        "2026-01-03T12:00:00Z AND Id > '001000000000001')) ORDER BY LastModifiedDate, Id"
    )
    with pytest.raises(Exception, match="is not a Salesforce id"):
        soql("Account", Position(moment, "x' OR Name != '"))


def test_a_first_sync_reads_every_object_page_by_page(crm):
    connection = connect(crm)
    r = run()
    assert (r.state, r.error, r.pages) == ("done", "", 2 + 3 + 1 + 1)
    assert r.counts["Contact"] == {"fetched": 6, "skipped": 1, "created": 5, "updated": 0,
                                   "unchanged": 0, "rejected": 0}  # fmt: skip
    assert r.counts["OpportunityContactRole"] == {
        "fetched": 2,
        "skipped": 0,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert sorted(Account.objects.values_list("name", "domain", "employees")) == [
        ("Acme", "acme.com", 250),
        ("Globex", None, None),
        ("Initech", "initech.com", 12000),
    ]
    assert ContactIdentity.objects.filter(source="salesforce").count() == 5
    won = Deal.objects.get(external_id=sf_id("006", 1))
    assert (won.source, won.account.name, won.amount, won.is_won, won.closed_on, won.opened_at) == (
        "salesforce",
        "Acme",
        Decimal("25000.00"),
        True,
        date(2026, 1, 15),
        datetime(2026, 1, 1, 8, tzinfo=UTC),
    )
    assert Deal.objects.get(external_id=sf_id("006", 2)).closed_on is None
    assert sorted(DealContact.objects.values_list("contact__email", "role", "is_primary")) == [
        ("p1@acme.com", "Economic Buyer", True),
        ("p2@acme.com", "", False),
    ]
    pages = [path for _, path, _ in crm.calls if "/query/" in path]
    assert pages == [
        f"/services/data/v62.0/query/01gQ{0:011d}-2",  # the accounts' second
        f"/services/data/v62.0/query/01gQ{1:011d}-2",  # the contacts' second
        f"/services/data/v62.0/query/01gQ{1:011d}-4",
    ]  # and third
    cursor = SyncCursor.objects.get(connection=connection, object="Account")
    assert (cursor.modified_at, cursor.last_id) == (
        datetime(2026, 1, 2, 10, tzinfo=UTC),
        sf_id("001", 3),
    )
    token = [body for _, path, body in crm.calls if path == "/services/oauth2/token"]
    assert token == [
        {
            "grant_type": "refresh_token",
            "client_id": "consumer-key",
            "refresh_token": "5Aep861refresh",
            "client_secret": "sf-secret",
        }
    ]


def test_the_next_sync_reads_nothing_already_written(crm):
    connect(crm)
    run()
    crm.calls.clear()
    again = run()
    assert (again.state, again.pages, again.counts) == ("done", 0, {})
    assert queries(crm)[0].endswith(
        f"WHERE (LastModifiedDate > 2026-01-02T10:00:00Z OR (LastModifiedDate = "
        f"2026-01-02T10:00:00Z AND Id > '{sf_id('001', 3)}')) ORDER BY LastModifiedDate, Id"
    )


def test_a_500_after_page_one_resumes_after_the_last_record_written(crm):
    connect(crm)
    crm.fail("/services/data/v62.0/query/", 2, 500)  # the contacts' second page
    first = run()
    assert first.state == "failed" and "500" in first.error
    assert sorted(Contact.objects.values_list("email", flat=True)) == ["p1@acme.com", "p2@acme.com"]
    second = run()
    assert second.state == "done"
    assert second.counts["Contact"] == {"fetched": 4, "skipped": 1, "created": 3, "updated": 0,
                                        "unchanged": 0, "rejected": 0}  # fmt: skip
    assert "Account" not in second.counts
    assert (
        Contact.objects.count(),
        ContactIdentity.objects.count(),
        Deal.objects.count(),
        DealContact.objects.count(),
    ) == (5, 5, 2, 2)


def test_an_expired_session_is_renewed_with_the_refresh_token(crm):
    connection = connect(crm)
    crm.fail("/services/data/v62.0/query", 3, 401)
    waits: list[float] = []
    crm.fail("/services/data/v62.0/query", 5, 429, Retry_After="7")
    r = run(waits)
    assert (r.state, r.retries, waits) == ("done", 2, [7.0])
    assert len([p for _, p, _ in crm.calls if p == "/services/oauth2/token"]) == 2
    connection.refresh_from_db()
    assert json.loads(vault.unseal(connection.access_encrypted)) == {
        "access_token": "access-2",
        "instance_url": crm.url,
    }
    assert Contact.objects.count() == 5


def test_a_refused_refresh_token_stops_the_run(crm):
    connect(crm)
    crm.fail("/services/oauth2/token", 1, 400)
    r = run()
    assert (r.state, r.error) == (
        "failed",
        "Salesforce answered 400 to POST /services/oauth2/token: fault",
    )
    assert Account.objects.count() == 0


def test_the_secret_needs_a_refresh_token(crm):
    with pytest.raises(ConnectorError, match="refresh_token"):
        connect(crm, "just-a-token")


def test_a_contact_of_an_unknown_account_is_refused_with_its_id(crm):
    crm.records["Contact"][0] |= {"AccountId": sf_id("001", 99), "Email": "x@nowhere.org"}
    connect(crm)
    r = run()
    assert r.counts["Contact"]["rejected"] == 1
    assert r.counts["rejections"] == [
        f"Contact {sf_id('003', 1)}: no account matches this contact's company "
        f"(salesforce id {sf_id('001', 99)})",
        f"deal contact {sf_id('006', 1)}→{sf_id('003', 1)}: no contact has this id "
        f"(salesforce:{sf_id('003', 1)})",
    ]
