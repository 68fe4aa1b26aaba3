"""Delivery: signed POSTs to a local receiver that checks the signature, retries with a doubling
wait, every attempt logged, failed after the last attempt, redelivered by the team."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.utils import timezone

from advocacy.engine.asks import AskRequest, open_asks
from advocacy.integrations.connectors.vault import unseal
from advocacy.integrations.webhooks import delivery as sender
from advocacy.integrations.webhooks.models import Attempt, Delivery, Endpoint, Event
from advocacy.integrations.webhooks.services import (
    WebhookError,
    add_endpoint,
    redeliver,
    remove_endpoint,
)
from advocacy.integrations.webhooks.signing import headers, new_secret
from advocacy.pipeline.models import AskType
from advocacy.references.tests.world import advocate

pytestmark = pytest.mark.django_db


def test_the_signature_is_the_standard_webhooks_one():
    # The example of the Standard Webhooks specification (its reference libraries' test).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    signed = headers(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}')
    assert signed["webhook-signature"] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert signed["webhook-timestamp"] == "1614265330"
    assert signed["webhook-id"] == "msg_p5jXN8AQM9LWM0D4loKWxJek"


def test_a_new_secret_is_24_random_bytes_after_whsec():
    one, two = new_secret(), new_secret()
    assert one.startswith("whsec_") and one != two
    assert len(base64.b64decode(one[len("whsec_") :])) == 24


def opened(receiver, now, *, events=("ask.opened",)):
    endpoint, secret = add_endpoint("crm", receiver.url, list(events), actor=None, now=now)
    receiver.secret = secret
    ann = advocate("ann@a.example")
    kind = AskType.objects.get(code="case_study")
    open_asks([AskRequest(ann.pk, kind, "manual:1")], now=now)
    return endpoint, Delivery.objects.get()


def test_a_delivery_is_signed_and_logged(receiver, settings):
    now = timezone.now()
    opened(receiver, now)
    assert unseal(Endpoint.objects.get().secret_encrypted) == receiver.secret
    assert sender.deliver_due(now) == 1
    [got] = receiver.received
    assert got.verified, got.why
    assert got.path == "/hooks/advocacy"
    event = Event.objects.get()
    assert got.headers["webhook-id"] == event.msg_id
    assert got.headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert got.headers["content-type"] == "application/json"
    assert got.json == event.payload
    assert json.loads(got.body)["type"] == "ask.opened"
    done = Delivery.objects.get()
    assert (done.status, done.attempts, done.delivered_at, done.last_status, done.error) == (
        "delivered", 1, now, 204, "",
    )  # fmt: skip
    attempt = Attempt.objects.get()
    assert (attempt.status_code, attempt.ok, attempt.error) == (204, True, "")
    assert sender.deliver_due(now) == 0  # nothing due: nothing sent again
    assert len(receiver.received) == 1


def test_failures_are_retried_with_a_doubling_wait_then_fail(receiver, settings):
    settings.WEBHOOK_RETRY_SECONDS = 60
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    now = timezone.now()
    opened(receiver, now)
    receiver.answers = [500, 429, 503]
    assert sender.deliver_due(now) == 0
    d = Delivery.objects.get()
    assert (d.status, d.attempts, d.due_at, d.last_status) == (
        "queued", 1, now + dt.timedelta(seconds=60), 500,
    )  # fmt: skip
    assert d.error == "attempt 1 of 3: the endpoint answered 500 Internal Server Error"
    assert sender.deliver_due(now + dt.timedelta(seconds=59)) == 0  # not due yet
    assert len(receiver.received) == 1
    second = now + dt.timedelta(seconds=60)
    sender.deliver_due(second)
    d.refresh_from_db()
    assert (d.status, d.attempts, d.due_at) == ("queued", 2, second + dt.timedelta(seconds=120))
    third = second + dt.timedelta(seconds=120)
    sender.deliver_due(third)
    d.refresh_from_db()
    assert (d.status, d.attempts, d.last_status) == ("failed", 3, 503)
    log = list(Attempt.objects.order_by("at").values_list("status_code", "ok"))
    assert log == [(500, False), (429, False), (503, False)]
    # Every try carries the same webhook-id, for the receiver to dedupe.
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1


def test_redelivery_queues_a_delivered_or_failed_delivery_again(receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    now = timezone.now()
    opened(receiver, now)
    receiver.answers = [500]
    sender.deliver_due(now)
    d = Delivery.objects.get()
    assert d.status == "failed"
    outcome = redeliver([d.pk, d.pk + 1000], actor=None, now=now)
    assert (outcome.queued, outcome.refused) == ([d.pk], {d.pk + 1000: "no such delivery"})
    again = redeliver([d.pk], actor=None, now=now)
    assert (again.queued, again.refused) == ([], {d.pk: "it is queued already"})
    assert sender.deliver_due(now) == 1
    d.refresh_from_db()
    assert (d.status, d.attempts) == ("delivered", 1)
    assert list(Attempt.objects.order_by("pk").values_list("status_code", flat=True)) == [500, 204]
    assert all(r.verified for r in receiver.received)
    with pytest.raises(WebhookError, match="at least one delivery"):
        redeliver([], actor=None, now=now)


def test_an_unreachable_endpoint_is_an_attempt_without_an_answer(settings):
    now = timezone.now()
    add_endpoint("nobody", "http://127.0.0.1:9/x", ["ask.opened"], actor=None, now=now)
    ann = advocate("ann@a.example")
    open_asks([AskRequest(ann.pk, AskType.objects.get(code="case_study"), "m:1")], now=now)
    assert sender.deliver_due(now) == 0
    attempt = Attempt.objects.get()
    assert (attempt.status_code, attempt.ok) == (0, False)
    assert attempt.error.startswith("the endpoint could not be reached:")
    assert Delivery.objects.get().status == "queued"


def test_removing_an_endpoint_fails_its_queued_deliveries_unsent(receiver):
    now = timezone.now()
    endpoint, _ = opened(receiver, now)
    assert remove_endpoint("crm", actor=None, now=now) is True
    assert remove_endpoint(str(endpoint.pk), actor=None, now=now) is False
    assert sender.deliver_due(now) == 0
    d = Delivery.objects.get()
    assert (d.status, d.error, d.attempts) == ("failed", "the endpoint was removed", 0)
    assert receiver.received == []
    outcome = redeliver([d.pk], actor=None, now=now)
    assert outcome.refused == {d.pk: "its endpoint was removed"}


def test_a_delivery_whose_worker_died_is_sent_again_after_its_lease(receiver, settings):
    now = timezone.now()
    opened(receiver, now)
    token = sender.claim(now, size=10)
    assert token is not None
    assert sender.claim(now, size=10) is None  # claimed: not due for another worker
    later = now + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    assert sender.deliver_due(later) == 1
    assert Delivery.objects.get().status == "delivered"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://example.com/hook", "an endpoint takes https"),
        ("ftp://127.0.0.1/x", r"is not an http\(s\) url"),
        ("https://user:pw@example.com/", "must not carry a user"),
        ("https://example.com:port/", "is not a url"),
    ],
)
def test_bad_urls_are_refused(url, message):
    with pytest.raises(WebhookError, match=message):
        add_endpoint("x", url, ["ask.opened"], actor=None, now=timezone.now())


def test_bad_events_and_names_are_refused():
    now = timezone.now()
    with pytest.raises(WebhookError, match=r"unknown event type 'ask\.eaten'"):
        add_endpoint("x", "https://example.com/h", ["ask.eaten"], actor=None, now=now)
    with pytest.raises(WebhookError, match="subscribe to at least one event"):
        add_endpoint("x", "https://example.com/h", [], actor=None, now=now)
    add_endpoint("x", "https://example.com/h", ["ask.opened"], actor=None, now=now)
    with pytest.raises(WebhookError, match="an endpoint named 'x' exists already"):
        add_endpoint("x", "https://example.com/h", ["ask.opened"], actor=None, now=now)
    remove_endpoint("x", actor=None, now=now)
    add_endpoint("x", "https://example.com/h2", ["ask.opened"], actor=None, now=now)
    assert Endpoint.objects.filter(name="x").count() == 2


def test_the_worker_s_thread_sends_what_is_due(receiver, monkeypatch):
    from advocacy.integrations.webhooks import loop as looping
    from advocacy.integrations.webhooks.loop import WebhookLoop

    # The thread starts each beat with fresh connections; the test's own must stay open.
    monkeypatch.setattr(looping, "close_old_connections", lambda: None)
    opened(receiver, timezone.now())
    loop = WebhookLoop("w1", every=60)
    loop.beat()
    assert (loop.delivered, Delivery.objects.get().status) == (1, "delivered")
    assert receiver.received[0].verified
