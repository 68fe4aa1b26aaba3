"""Writing back: a held reference call on its opportunity, a referral as a lead, the advocate
flag; queued once, sent by the worker to the fake CRMs, retried, given up after the last try."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from advocacy.core import scheduler
from advocacy.customers.models import Contact
from advocacy.integrations.connectors.crm import sync
from advocacy.integrations.connectors.models import Connection, WriteBack
from advocacy.integrations.connectors.services import add_connection, get_connection
from advocacy.integrations.connectors.tests.fake_crm import (
    FakeHubSpot,
    FakeSalesforce,
    seeded_hubspot,
)
from advocacy.integrations.connectors.writeback import (
    MAX_ATTEMPTS,
    delay,
    queue_write_backs,
    send_write_backs,
)
from advocacy.references.models import ReferenceAdvocate, ReferenceCall, ReferenceRequest
from advocacy.referrals.models import Referral

pytestmark = pytest.mark.django_db
TOKEN = "pat-na1-00000000-1111-2222-3333-444444444444"
ADDED = datetime(2026, 1, 10, tzinfo=UTC)
LATER = datetime(2026, 2, 1, 15, tzinfo=UTC)


@pytest.fixture
def crm() -> Iterator[FakeHubSpot]:
    server = seeded_hubspot(TOKEN)
    add_connection("hubspot-crm", "HubSpot", secret=TOKEN, options={"api_url": server.url},
                   actor=None, now=ADDED)  # fmt: skip
    sync("HubSpot", now=timezone.now)
    yield server
    server.close()


def held_call(owner, contact: Contact, opportunity_ref: str, *, at: datetime = LATER) -> None:
    request = ReferenceRequest.objects.create(
        opportunity="Acme expansion", opportunity_ref=opportunity_ref, prospect_company="Hooli",
        industry="Software", needed_by=date(2026, 2, 10), requested_by=owner, filed_at=at,
        updated_at=at,
    )  # fmt: skip
    call = ReferenceCall.objects.create(
        contact=contact, organizer=owner, uid=f"call-{opportunity_ref}-{at:%s}", starts_at=at,
        outcome="held", rating=5, created_at=at, updated_at=at,
    )  # fmt: skip
    call.requests.add(request)


def referral(advocate: Contact, email: str, at: datetime = LATER) -> Referral:
    return Referral.objects.create(
        advocate=advocate, prospect_name="Gavin Belson", prospect_email=email,
        prospect_company="Hooli", prospect_title="CEO", via="staff", submitted_at=at,
        updated_at=at,
    )  # fmt: skip


def pooled(contact: Contact) -> None:
    ReferenceAdvocate.objects.create(
        contact=contact, account_id=contact.account_id, industry="", region="", size_band="",
        products=[], use_cases=[], ready=True, refreshed_at=LATER,
    )  # fmt: skip


def test_each_kind_is_queued_once_and_sent_in_the_vendors_shape(crm, owner):
    ada = Contact.objects.get(email="ada@acme.com")
    held_call(owner, ada, "301")  # a deal synced from this CRM
    held_call(owner, ada, "999")  # an opportunity this CRM does not have
    held_call(owner, ada, "302", at=ADDED - timedelta(days=1))  # before the connection
    referral(ada, "gavin@hooli.com")
    referral(ada, "old@hooli.com", at=ADDED - timedelta(days=1))
    pooled(ada)
    assert queue_write_backs(now=LATER) == {"HubSpot": 3}
    assert queue_write_backs(now=LATER) == {"HubSpot": 0}
    assert send_write_backs(now=LATER) == {"sent": 3, "retry": 0, "failed": 0}
    assert sorted(crm.created, key=lambda c: c[0]) == [
        ("contacts", {"properties": {"email": "gavin@hooli.com", "firstname": "Gavin",
                                     "lastname": "Belson", "company": "Hooli",
                                     "lifecyclestage": "lead"}}),
        ("notes", {"properties": {"hs_timestamp": "2026-02-01T15:00:00+00:00",
                                  "hs_note_body": "Reference call with 201 Doe (Acme) for Acme "
                                                  "expansion. Rated 5/5 by the team."},
                   "associations": [{"to": {"id": "301"}, "types": [
                       {"associationCategory": "HUBSPOT_DEFINED",
                        "associationTypeId": 214}]}]}),
        ("patch:201", {"properties": {"advocacy_advocate": "true"}}),
    ]  # fmt: skip
    rows = {w.kind: w for w in WriteBack.objects.all()}
    assert {k: (w.status, w.attempts, w.sent_at) for k, w in rows.items()} == {
        "activity": ("sent", 1, LATER), "lead": ("sent", 1, LATER),
        "advocate": ("sent", 1, LATER)}  # fmt: skip
    assert rows["lead"].external_id.isdigit()
    assert send_write_backs(now=LATER) == {"sent": 0, "retry": 0, "failed": 0}
    assert get_connection("HubSpot").sync["write_backs"] == {"pending": 0, "sent": 3, "failed": 0}


def test_a_refused_write_back_is_tried_again_later_then_given_up(crm):
    ada = Contact.objects.get(email="ada@acme.com")
    referral(ada, "gavin@hooli.com")
    queue_write_backs(now=LATER)
    for nth in range(1, MAX_ATTEMPTS + 1):
        crm.fail("/crm/v3/objects/contacts", nth, 500)
    moment = LATER
    for attempt in range(1, MAX_ATTEMPTS):
        assert send_write_backs(now=moment)["retry"] == 1
        row = WriteBack.objects.get()
        assert (row.status, row.attempts, row.next_attempt_at) == (
            "pending",
            attempt,
            moment + delay(attempt),
        )
        assert send_write_backs(now=row.next_attempt_at - timedelta(seconds=1))["retry"] == 0
        moment = row.next_attempt_at
    assert send_write_backs(now=moment) == {"sent": 0, "retry": 0, "failed": 1}
    row = WriteBack.objects.get()
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert row.error == "HubSpot CRM answered 500 to POST /crm/v3/objects/contacts: fault"
    assert [delay(n) for n in (1, 2, 3, 10)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(hours=6),
    ]


def test_write_back_can_be_turned_off_per_kind(crm):
    connection = Connection.objects.get()
    connection.options = {"api_url": crm.url, "write_back": "lead"}
    connection.save()
    ada = Contact.objects.get(email="ada@acme.com")
    referral(ada, "gavin@hooli.com")
    pooled(ada)
    assert queue_write_backs(now=LATER) == {"HubSpot": 1}
    assert WriteBack.objects.get().kind == "lead"


def test_salesforce_takes_a_task_a_lead_and_the_advocate_field(owner):
    server = FakeSalesforce()
    try:
        acct, con, opp = "001000000000000001", "003000000000000001", "006000000000000001"
        stamp = "2026-01-05T10:00:00.000+0000"
        server.records = {
            "Account": [{"Id": acct, "Name": "Acme", "Website": "acme.com", "Industry": None,
                         "NumberOfEmployees": None, "LastModifiedDate": stamp}],
            "Contact": [{"Id": con, "Email": "ada@acme.com", "FirstName": "Ada",
                         "LastName": "Lovelace", "Title": None, "Phone": None,
                         "AccountId": acct, "LastModifiedDate": stamp}],
            "Opportunity": [{"Id": opp, "Name": "Acme - expansion", "AccountId": acct,
                             "Amount": 1000, "StageName": "Negotiation", "IsWon": False,
                             "IsClosed": False, "CloseDate": "2026-03-01",
                             "CreatedDate": stamp, "LastModifiedDate": stamp}],
        }  # fmt: skip
        add_connection(
            "salesforce", "SF", secret=json.dumps({"refresh_token": "rt"}),
            options={"login_url": server.url, "client_id": "consumer-key",
                     "lead_source": "Customer Referral", "advocate_field": "Is_Advocate__c"},
            actor=None, now=ADDED,
        )  # fmt: skip
        assert sync("SF", now=timezone.now).state == "done"
        ada = Contact.objects.get(email="ada@acme.com")
        held_call(owner, ada, opp)
        referral(ada, "gavin@hooli.com")
        pooled(ada)
        queue_write_backs(now=LATER)
        server.fail("/sobjects/Lead", 1, 401)  # the session expired: renewed, sent again
        assert send_write_backs(now=LATER) == {"sent": 3, "retry": 0, "failed": 0}
        assert sorted(server.created, key=lambda c: c[0]) == [
            ("Lead", {"Email": "gavin@hooli.com", "FirstName": "Gavin", "LastName": "Belson",
                      "Company": "Hooli", "LeadSource": "Customer Referral"}),
            ("Task", {"WhatId": opp, "Subject": "Reference call",
                      "Description": "Reference call with Ada Lovelace (Acme) for Acme "
                                     "expansion. Rated 5/5 by the team.",
                      "ActivityDate": "2026-02-01", "Status": "Completed"}),
            (f"patch:{con}", {"Is_Advocate__c": True}),
        ]  # fmt: skip
    finally:
        server.close()


def test_the_write_back_job_is_scheduled_every_five_minutes():
    assert scheduler.REGISTRY["crm-write-back"].every == timedelta(minutes=5)


def test_the_write_backs_are_listed_in_the_cli_the_api_and_the_page(crm, owner, member):
    from io import StringIO

    from django.core.management import call_command
    from django.test import Client

    from advocacy.people.models import ApiKey

    ada = Contact.objects.get(email="ada@acme.com")
    referral(ada, "gavin@hooli.com")
    queue_write_backs(now=LATER)
    crm.fail("/crm/v3/objects/contacts", 1, 500)
    send_write_backs(now=LATER)
    out = StringIO()
    call_command("connectors", "write-backs", "--json", "--as", "member", stdout=out)
    rows = json.loads(out.getvalue())
    assert [(r["connection"], r["kind"], r["key"], r["status"], r["attempts"], r["error"])
            for r in rows] == [("HubSpot", "lead", f"lead:referral:{Referral.objects.get().pk}",
                                "pending", 1, "HubSpot CRM answered 500 to POST "
                                "/crm/v3/objects/contacts: fault")]  # fmt: skip
    _, secret = ApiKey.issue(owner, "tests", ["read"])
    api = Client().get("/api/write-backs", {"status": "pending"},
                       headers={"Authorization": f"Bearer {secret}"})  # fmt: skip
    assert [r["key"] for r in api.json()] == [rows[0]["key"]]
    web = Client()
    web.force_login(member)
    page = web.get("/connections/").content.decode()
    assert 'data-testid="write-backs"' in page and "Referral as a lead" in page
