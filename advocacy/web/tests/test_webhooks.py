"""The Webhooks pages: add (the secret shown once), the delivery log, one delivery with its
attempts, Redeliver after a confirmation; admins configure, customer success reads, sales sees
nothing. Delivered to a local receiver that checks the signature."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from advocacy.engine.asks import AskRequest, open_asks
from advocacy.integrations.webhooks import delivery as sender
from advocacy.integrations.webhooks.models import Delivery, Endpoint
from advocacy.integrations.webhooks.tests.receiver import Receiver, serve
from advocacy.pipeline.models import AskType
from advocacy.references.tests.world import advocate

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from serve()


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(client: Any, owner: Any) -> None:
    client.force_login(owner)
    form = {"name": "CRM", "url": "https://crm.example.com/in", "events": ["ask.opened"]}
    page = client.post("/webhooks/", form)
    assert page.status_code == 200
    secret = page.context["secret"]
    assert secret.startswith("whsec_") and secret in page.content.decode()
    assert Endpoint.objects.get().events == ["ask.opened"]
    again = client.get("/webhooks/").content.decode()
    assert secret not in again and "CRM" in again and "https://crm.example.com/in" in again


def test_a_refused_add_says_why_and_keeps_nothing(client: Any, owner: Any) -> None:
    client.force_login(owner)
    page = client.post(
        "/webhooks/", {"name": "x", "url": "http://crm.example.com/", "events": ["ask.opened"]}
    )
    assert page.status_code == 422
    assert "an endpoint takes https" in page.content.decode()
    assert Endpoint.objects.count() == 0


def test_the_log_and_a_confirmed_redelivery(
    client: Any, owner: Any, receiver: Any, settings: Any
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    client.force_login(owner)
    page = client.post(
        "/webhooks/", {"name": "local", "url": receiver.url, "events": ["ask.opened"]}
    )
    receiver.secret = page.context["secret"]
    now = timezone.now()
    ann = advocate("ann@a.example")
    open_asks([AskRequest(ann.pk, AskType.objects.get(code="case_study"), "m:1")], now=now)
    receiver.answers = [500]
    sender.deliver_due(now)
    d = Delivery.objects.get()
    log = client.get("/webhooks/deliveries/").content.decode()
    assert f'data-testid="delivery-{d.pk}"' in log and "Failed" in log
    assert f'data-testid="redeliver-{d.pk}"' in log
    detail = client.get(f"/webhooks/deliveries/{d.pk}/").content.decode()
    assert d.event.msg_id in detail and "not now" in detail
    confirm = client.get(f"/webhooks/deliveries/{d.pk}/redeliver/")
    assert confirm.status_code == 200
    assert 'data-testid="redeliver-confirm"' in confirm.content.decode()
    unconfirmed = client.post(f"/webhooks/deliveries/{d.pk}/redeliver/", {})
    assert unconfirmed.status_code == 200  # asks again: nothing queued
    assert Delivery.objects.get().status == "failed"
    done = client.post(f"/webhooks/deliveries/{d.pk}/redeliver/", {"confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == f"/webhooks/deliveries/{d.pk}/"
    assert Delivery.objects.get().status == "queued"
    sender.deliver_due(timezone.now())
    assert Delivery.objects.get().status == "delivered"
    assert [r.verified for r in receiver.received] == [True, True]
    removed = client.post(f"/webhooks/{Endpoint.objects.get().pk}/remove/")
    assert removed.status_code == 302
    assert Endpoint.objects.get().removed_at is not None


def test_customer_success_reads_and_cannot_configure(client: Any, member: Any) -> None:
    client.force_login(member)
    assert client.get("/webhooks/").status_code == 200
    assert client.get("/webhooks/deliveries/").status_code == 200
    page = client.post(
        "/webhooks/", {"name": "x", "url": "https://a.example/", "events": ["ask.opened"]}
    )
    assert page.status_code == 403
    assert client.get("/webhooks/deliveries/1/redeliver/").status_code == 403
    assert Endpoint.objects.count() == 0


def test_sales_sees_no_webhooks(client: Any, seller: Any) -> None:
    client.force_login(seller)
    assert client.get("/webhooks/").status_code == 403
    assert client.get("/webhooks/deliveries/").status_code == 403
    assert 'data-testid="nav-webhooks"' not in client.get("/").content.decode()
