"""/api/connections and /api/inbox: add (the url once), list, remove, the inbox, replay; roles."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.utils import timezone

from advocacy.customers.models import Account, Contact
from advocacy.integrations.connectors.models import InboxRequest, RejectedRequest
from advocacy.integrations.connectors.services import add_connection
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
SECRET = "whsec_" + base64.b64encode(b"a signing secret of 32 bytes ok!").decode()


def test_add_answers_the_url_once_and_never_the_secret(api: Any, settings: Any) -> None:
    settings.SITE_URL = "https://advocacy.example.com"
    body = {"kind": "typeform", "name": "NPS form", "secret": "tf", "options": {"nps_field": "nps"}}
    answer = api.post("/api/connections", body)
    assert answer.status_code == 201
    added = answer.json()
    assert added["url"].startswith("https://advocacy.example.com/hooks/")
    token = added["url"].rstrip("/").rsplit("/", 1)[1]
    shown = (
        api.get("/api/connections").content.decode()
        + api.get("/api/connections/NPS form").content.decode()
    )
    assert token not in shown and '"tf"' not in shown
    assert api.get("/api/connections/NPS form").json()["options"] == {"nps_field": "nps"}


def test_bad_input_is_a_clear_422_and_an_unknown_name_404(api: Any) -> None:
    answer = api.post("/api/connections", {"kind": "delighted", "name": "x"})
    assert answer.status_code == 422
    assert "--secret is required" in answer.json()["detail"]
    assert api.get("/api/connections/nope").status_code == 404


def test_remove_then_the_inbox_and_a_replay(api: Any) -> None:
    acme = Account.objects.create(name="Acme", domain="acme.com")
    Contact.objects.create(account=acme, email="ada@acme.com")
    _, url = add_connection("asknicely", "an", actor=None, now=timezone.now())
    path = url.split("://", 1)[1].split("/", 1)[1]
    body = {"response_id": "1", "email": "ada@acme.com", "answer": "9",
            "responded": "1764403600", "count": 1}  # fmt: skip
    api.client.post("/" + path, body, content_type="application/json")
    rows = api.get("/api/inbox").json()
    assert [(r["connection"], r["status"]) for r in rows] == [("an", "pending")]
    detail = api.get(f"/api/inbox/{rows[0]['id']}").json()
    assert '"response_id": "1"' in detail["body"]
    replayed = api.post("/api/inbox/replay", {"connection": "an"}).json()
    assert (replayed["requests"], replayed["created"], Signal.objects.count()) == (1, 1, 1)
    assert api.post("/api/inbox/replay", {"ids": [rows[0]["id"]]}).json()["created"] == 0
    assert api.get("/api/inbox/rejected").json() == []
    removed = api.client.delete("/api/connections/an", headers=api._headers(None))
    assert removed.json() == {"removed": True}
    assert InboxRequest.objects.count() == 1 and RejectedRequest.objects.count() == 0


def test_only_admins_configure_customer_success_reads(make_client: Any, member: Any) -> None:
    cs = make_client("read", "connectors:write", user=member)
    assert cs.get("/api/connections").status_code == 200
    answer = cs.post("/api/connections", {"kind": "webhook", "name": "x", "secret": SECRET})
    assert answer.status_code == 403
    assert cs.post("/api/inbox/replay", {}).status_code == 403


def test_a_seller_may_not_read_the_inbox(make_client: Any, seller: Any) -> None:
    assert make_client("read", user=seller).get("/api/inbox").status_code == 403


def test_a_key_without_the_scope_may_not_add(make_client: Any) -> None:
    answer = make_client("read").post("/api/connections", {"kind": "webhook", "name": "x",
                                                            "secret": SECRET})  # fmt: skip
    assert answer.status_code == 403
