"""The outbox over the REST API: list and read messages with their attempts, preview an ask's
email, send a test to oneself, send a failed email again; each with its rights."""

from __future__ import annotations

import pytest

from advocacy.messaging.delivery import deliver_due
from advocacy.messaging.models import Message
from advocacy.messaging.tests.conftest import NOW, promoter, smtp_sink  # noqa: F401
from advocacy.messaging.tests.test_delivery import queued_ask

pytestmark = pytest.mark.django_db


def test_list_and_read_a_failed_message_then_send_it_again(client, member, smtp_sink):  # noqa: F811
    ask = queued_ask(promoter(member))
    smtp_sink.rcpt = "550 5.1.1 no such user"
    deliver_due(now=NOW)
    client.force_login(member)
    listed = client.get("/api/messages?status=failed&mine=true").json()
    assert listed["count"] == 1
    (row,) = listed["items"]
    assert (row["ask_id"], row["status"], row["reason_code"], row["to"]) == (
        ask.pk, "failed", "refused", "ada@acme.example",
    )  # fmt: skip
    one = client.get(f"/api/messages/{row['id']}").json()
    assert [(a["result"], a["smtp_code"]) for a in one["attempt_list"]] == [("permanent", 550)]
    smtp_sink.rcpt = None
    assert client.post(f"/api/messages/{row['id']}/retry").json() == {"queued": 1}
    assert client.post(f"/api/messages/{row['id']}/retry").status_code == 409
    deliver_due()  # queued again as of the clock
    assert Message.objects.get().status == "sent"


def test_preview_and_test_email(client, member, smtp_sink):  # noqa: F811
    ask = queued_ask(promoter(member))
    client.force_login(member)
    shown = client.get(f"/api/asks/{ask.pk}/email").json()
    assert shown["subject"] == "Quick favor? (2 minutes)"
    assert shown["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "PREVIEW-" in shown["text"]
    assert client.get(f"/api/asks/{ask.pk}/email?kind=test").status_code == 422
    reminder = client.get(f"/api/asks/{ask.pk}/email?kind=reminder").json()
    assert reminder["subject"] == "Following up: Quick favor? (2 minutes)"
    sent = client.post(f"/api/asks/{ask.pk}/email/test", {}, content_type="application/json")
    assert (sent.status_code, sent.json()["status"]) == (200, "sent")
    assert smtp_sink.received[0]["To"] == "member@example.com"
    bad = client.post(
        f"/api/asks/{ask.pk}/email/test", {"to": "not an address"}, content_type="application/json"
    )
    assert bad.status_code == 422


def test_a_seller_may_preview_but_not_send_a_test(client, member, seller):
    ask = queued_ask(promoter(member))
    client.force_login(seller)
    assert client.get(f"/api/asks/{ask.pk}/email").status_code == 200
    refused = client.post(f"/api/asks/{ask.pk}/email/test", {}, content_type="application/json")
    assert refused.status_code == 403
