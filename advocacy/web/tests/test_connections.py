"""The Connections pages: add (the url shown once), the inbox with replay, the rejected log;
admins configure, customer success reads, sales sees nothing."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.utils import timezone

from advocacy.customers.models import Account, Contact
from advocacy.integrations.connectors.models import Connection, InboxRequest
from advocacy.integrations.connectors.services import add_connection
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
SECRET = "whsec_" + base64.b64encode(b"a signing secret of 32 bytes ok!").decode()


def test_an_admin_adds_a_connection_and_sees_its_url_once(client: Any, owner: Any) -> None:
    client.force_login(owner)
    form = {"kind": "webhook", "name": "CS platform", "secret": SECRET}
    page = client.post("/connections/", form | {"options": "identity_source=crm"})
    assert page.status_code == 200
    url = page.context["url"]
    assert "/hooks/" in url
    assert url in page.content.decode()
    assert Connection.objects.get().options == {"identity_source": "crm"}
    again = client.get("/connections/").content.decode()
    assert url not in again and SECRET not in again and "CS platform" in again


def test_a_refused_add_says_why_and_keeps_nothing(client: Any, owner: Any) -> None:
    client.force_login(owner)
    page = client.post("/connections/", {"kind": "delighted", "name": "x", "secret": ""})
    assert page.status_code == 422
    assert "--secret is required" in page.content.decode()
    assert Connection.objects.count() == 0


def test_the_inbox_shows_errors_and_a_replay_maps_the_request(client: Any, owner: Any) -> None:
    client.force_login(owner)
    add_connection("asknicely", "an", actor=None, now=timezone.now())
    row = InboxRequest.objects.create(
        connection=Connection.objects.get(), event_id="1:1", received_at=timezone.now(),
        headers={}, body=b'{"response_id": "1", "email": "ada@acme.com", "answer": "9", '
        b'"responded": "1764403600", "count": 1}', status="failed",
        error="contact: no contact with this email; import contacts first (ada@acme.com)",
    )  # fmt: skip
    page = client.get("/connections/inbox/").content.decode()
    assert "no contact with this email" in page and f'data-testid="replay-{row.pk}"' in page
    partial = client.get("/connections/inbox/?status=failed", headers={"HX-Request": "true"})
    assert 'id="inbox-rows"' in partial.content.decode()
    assert "<html" not in partial.content.decode()
    Contact.objects.create(account=Account.objects.create(name="Acme"), email="ada@acme.com")
    done = client.post("/connections/inbox/replay/", {"id": row.pk}, follow=True)
    assert "1 request mapped again: 1 new signals" in done.content.decode()
    assert (Signal.objects.count(), InboxRequest.objects.get().status) == (1, "processed")
    assert "ada@acme.com" in client.get(f"/connections/inbox/{row.pk}/").content.decode()


def test_customer_success_reads_but_may_not_add_or_replay(client: Any, member: Any) -> None:
    client.force_login(member)
    page = client.get("/connections/")
    assert page.status_code == 200
    assert 'data-testid="connection-form"' not in page.content.decode()
    refused = client.post("/connections/", {"kind": "webhook", "name": "x", "secret": SECRET})
    assert refused.status_code == 403
    assert client.post("/connections/inbox/replay/", {}).status_code == 403
    assert Connection.objects.count() == 0


def test_sales_sees_no_connections(client: Any, seller: Any) -> None:
    client.force_login(seller)
    assert client.get("/connections/").status_code == 403
    assert client.get("/connections/inbox/").status_code == 403
