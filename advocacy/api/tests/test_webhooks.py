"""/api/webhooks: add (the secret once), list, show, remove; the delivery log and redelivery;
roles. Delivered to a local receiver that checks the signature."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from advocacy.engine.asks import AskRequest, open_asks
from advocacy.integrations.webhooks import delivery as sender
from advocacy.integrations.webhooks.models import Delivery
from advocacy.integrations.webhooks.tests.receiver import Receiver, serve
from advocacy.pipeline.models import AskType
from advocacy.references.tests.world import advocate

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from serve()


def test_add_answers_the_secret_once(api: Any) -> None:
    answer = api.post(
        "/api/webhooks",
        {"name": "CRM", "url": "https://crm.example.com/in", "events": ["ask.completed"]},
    )
    assert answer.status_code == 201
    added = answer.json()
    secret = added["secret"]
    assert secret.startswith("whsec_") and added["secret_prefix"] == secret[:10]
    assert (added["events"], added["deliveries"]) == (
        ["ask.completed"],
        {"queued": 0, "sending": 0, "delivered": 0, "failed": 0},
    )
    shown = (
        api.get("/api/webhooks").content.decode()
        + api.get(f"/api/webhooks/{added['id']}").content.decode()
    )
    assert secret not in shown
    every = api.post("/api/webhooks", {"name": "All", "url": "https://crm.example.com/all"})
    assert every.json()["events"] == [
        "ask.opened", "ask.completed", "reference.filled", "content.published", "reward.credited",
    ]  # fmt: skip
    types = api.get("/api/webhooks/event-types").json()
    assert [t["type"] for t in types] == every.json()["events"]


def test_bad_input_is_a_clear_422_and_an_unknown_id_404(api: Any) -> None:
    answer = api.post("/api/webhooks", {"name": "x", "url": "http://crm.example.com/in"})
    assert answer.status_code == 422
    assert "an endpoint takes https" in answer.json()["detail"]
    answer = api.post(
        "/api/webhooks", {"name": "x", "url": "https://a.example/", "events": ["ask.lost"]}
    )
    assert answer.json()["detail"].startswith("unknown event type 'ask.lost'")
    assert api.get("/api/webhooks/999").status_code == 404
    assert api.get("/api/webhooks/deliveries/999").status_code == 404


def test_the_log_a_delivery_and_a_redelivery(api: Any, receiver: Any, settings: Any) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    added = api.post(
        "/api/webhooks", {"name": "local", "url": receiver.url, "events": ["ask.opened"]}
    ).json()
    receiver.secret = added["secret"]
    now = timezone.now()
    ann = advocate("ann@a.example")
    open_asks([AskRequest(ann.pk, AskType.objects.get(code="case_study"), "m:1")], now=now)
    receiver.answers = [503]
    sender.deliver_due(now)
    [row] = api.get("/api/webhooks/deliveries", {"endpoint": added["id"]}).json()
    assert (row["status"], row["attempts"], row["last_status"], row["event_type"]) == (
        "failed", 1, 503, "ask.opened",
    )  # fmt: skip
    detail = api.get(f"/api/webhooks/deliveries/{row['id']}").json()
    assert detail["payload"]["type"] == "ask.opened"
    assert [(a["status_code"], a["ok"], a["response"]) for a in detail["attempts_log"]] == [
        (503, False, "not now")
    ]
    again = api.post("/api/webhooks/deliveries/redeliver", {"ids": [row["id"]]})
    assert again.json() == {"queued": [row["id"]], "refused": {}}
    sender.deliver_due(timezone.now())
    assert Delivery.objects.get().status == "delivered"
    assert [r.verified for r in receiver.received] == [True, True]
    assert api.get("/api/webhooks/deliveries", {"status": "failed"}).json() == []
    removed = api.client.delete(f"/api/webhooks/{added['id']}", headers=api._headers(None))
    assert removed.json() == {"removed": True}
    assert api.get("/api/webhooks").json() == []
    assert [e["name"] for e in api.get("/api/webhooks", {"removed": True}).json()] == ["local"]


def test_only_admins_configure_customer_success_reads(make_client: Any, member: Any) -> None:
    cs = make_client("read", "connectors:write", user=member)
    assert cs.get("/api/webhooks").status_code == 200
    assert cs.get("/api/webhooks/deliveries").status_code == 200
    answer = cs.post("/api/webhooks", {"name": "x", "url": "https://a.example/"})
    assert answer.status_code == 403
    assert cs.post("/api/webhooks/deliveries/redeliver", {"ids": [1]}).status_code == 403


def test_a_seller_may_not_read_the_log(make_client: Any, seller: Any) -> None:
    assert make_client("read", user=seller).get("/api/webhooks/deliveries").status_code == 403


def test_a_key_without_the_scope_may_not_add(make_client: Any) -> None:
    answer = make_client("read").post("/api/webhooks", {"name": "x", "url": "https://a.example/"})
    assert answer.status_code == 403
