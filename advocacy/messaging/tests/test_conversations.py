"""Several SMTP conversations at once (ADVOCACY_OUTBOX_CONNECTIONS): each email goes once, over
one of them, and the lease still stops a batch with the rest put back untried."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest

from advocacy.messaging.delivery import Courier, claim, deliver_batch, deliver_due
from advocacy.messaging.models import Message, MessageAttempt
from advocacy.messaging.tests.conftest import NOW, promoter
from advocacy.messaging.tests.test_delivery import queued_ask

pytestmark = pytest.mark.django_db


def test_parallel_conversations_deliver_each_email_once(smtp_sink, member, settings):
    settings.OUTBOX_CONNECTIONS = 3
    for i in range(30):
        queued_ask(promoter(member, email=f"p{i}@acme.example"))

    report = deliver_due(now=NOW, batch_size=12)

    assert (report.sent, report.batches) == (30, 3)
    ids = Counter(str(mail["Message-ID"]) for mail in smtp_sink.received)
    assert sorted(ids) == sorted(Message.objects.values_list("message_id", flat=True))
    assert set(ids.values()) == {1}
    assert 1 < len(smtp_sink.peers) <= 3  # side by side, kept open from batch to batch
    assert set(Message.objects.values_list("status", "attempts")) == {("sent", 1)}
    assert MessageAttempt.objects.filter(result="sent").count() == 30
    assert sorted(to for _, (to,) in smtp_sink.envelopes) == sorted(
        f"p{i}@acme.example" for i in range(30)
    )


def test_parallel_conversations_stop_near_the_end_of_the_lease(smtp_sink, member, settings):
    settings.OUTBOX_CONNECTIONS = 2
    for i in range(5):
        queued_ask(promoter(member, email=f"p{i}@acme.example"))
    token = claim(NOW, worker_id="slow", size=10)
    assert token is not None
    calls, lock = [], threading.Lock()

    def clock() -> dt.datetime:  # the first look at the clock finds time; every later one not
        with lock:
            calls.append(1)
            return NOW if len(calls) == 1 else NOW + dt.timedelta(minutes=9, seconds=59)

    courier = Courier()
    try:
        report = deliver_batch(token, now=NOW, clock=clock, worker_id="slow", courier=courier)
    finally:
        courier.close()

    assert (report.sent, report.released) == (1, 4)
    assert sorted(Message.objects.values_list("status", flat=True)) == ["queued"] * 4 + ["sent"]
    assert len(smtp_sink.received) == 1
    assert MessageAttempt.objects.count() == 1  # the four put back were not tried


def test_a_backend_handed_in_is_one_conversation(settings):
    settings.OUTBOX_CONNECTIONS = 4
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert len(Courier().conversations) == 4
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert len(Courier().conversations) == 1
