"""A play's channel sequence, executed: the email, then (no answer after the step's hours) an
in-product reminder on the feed and POSTed, signed, to a receiver on the loopback; refused or
vanishing receivers retried with nothing lost; each step once per ask; nothing to anyone held."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from advocacy.core.quiet import parse_quiet_hours
from advocacy.customers.models import Contact
from advocacy.engine.evaluation import run_plays
from advocacy.messaging.delivery import deliver_due
from advocacy.messaging.models import Message, MessageAttempt, ProductEvent
from advocacy.messaging.outbox import queue_steps
from advocacy.messaging.product import SIGNATURE_HEADER
from advocacy.messaging.tests.conftest import NOW, free_port, promoter
from advocacy.messaging.tests.test_delivery import queued_ask
from advocacy.messaging.tests.test_end_to_end import PLAY, asked_promoter
from advocacy.pipeline.models import Ask, AskStatus
from advocacy.pipeline.services import advance_asks
from advocacy.signals.records import SignalRecord
from advocacy.signals.services import record_signals

pytestmark = pytest.mark.django_db
SECRET = "s3cret-for-tests"
SEQUENCE = (("email", 0), ("in_app", 120))
LATER = NOW + dt.timedelta(hours=120)


@dataclass
class Receiver:
    """What the product's receiver was POSTed, and how it answers next (`status`; `vanish`:
    close the connection without an answer)."""

    url: str = ""
    posts: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    status: int = 200
    vanish: bool = False


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    """An HTTP server on 127.0.0.1 in a thread, and the settings that POST to it."""
    got = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if got.vanish:
                self.close_connection = True
                self.connection.close()
                return
            got.posts.append(({k: v for k, v in self.headers.items()}, body))
            self.send_response(got.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    got.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/advocacy"
    settings.PRODUCT_EVENTS_URL, settings.PRODUCT_EVENTS_SECRET = got.url, SECRET
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def ada(member) -> Contact:
    return promoter(member)


def sent_ask(contact: Contact) -> Ask:
    """An ask with the sequence whose first email went out at NOW."""
    ask = queued_ask(contact, sequence=SEQUENCE)
    assert deliver_due(now=NOW).sent == 1
    ask.refresh_from_db()
    assert ask.status == AskStatus.SENT
    return ask


def verify(headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does: recompute the signature on the raw body."""
    parts = dict(p.split("=", 1) for p in headers[SIGNATURE_HEADER].split(","))
    mac = hmac.new(SECRET.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), parts["v1"])


def nudges() -> list[Message]:
    return list(Message.objects.filter(kind="nudge"))


def test_the_ask_keeps_its_sequence_and_the_reminder_goes_after_its_hours(smtp_sink, receiver, ada):
    ask = sent_ask(ada)
    assert ask.sequence == [
        {"channel": "email", "after_hours": 0},
        {"channel": "in_app", "after_hours": 120},
    ]
    assert deliver_due(now=LATER - dt.timedelta(minutes=1)).steps_queued == 0
    report = deliver_due(now=LATER)
    assert (report.steps_queued, report.sent) == (1, 1)
    (m,) = nudges()
    assert (m.channel, m.step, m.status) == ("in_app", 1, "sent")
    assert m.subject == f"In-product reminder: {ask.ask_type.name}"
    (headers, body) = receiver.posts[0]
    assert verify(headers, body) is True
    assert headers["Content-Type"] == "application/json"
    event = json.loads(body)
    (row,) = ProductEvent.objects.all()
    assert (event["id"], event["type"], event["ask"]["id"]) == (row.pk, "ask.reminder", ask.pk)
    assert event["contact"]["email"] == "ada@acme.example"
    assert headers["Advocacy-Event-Id"] == str(row.pk)
    assert len(smtp_sink.received) == 1  # the in-product step sent no email


def test_each_step_once_per_ask(smtp_sink, receiver, ada):
    sent_ask(ada)
    deliver_due(now=LATER)
    assert queue_steps(LATER + dt.timedelta(days=3)) == 0
    deliver_due(now=LATER + dt.timedelta(days=5))
    assert (len(nudges()), ProductEvent.objects.count(), len(receiver.posts)) == (1, 1, 1)


def test_an_answered_ask_gets_no_reminder(smtp_sink, receiver, ada):
    ask = sent_ask(ada)
    advance_asks([ask.pk], AskStatus.ACCEPTED, actor=None, now=NOW + dt.timedelta(hours=3))
    assert deliver_due(now=LATER).steps_queued == 0
    assert (nudges(), receiver.posts) == ([], [])


def test_nothing_goes_to_someone_who_opted_out(smtp_sink, receiver, ada):
    sent_ask(ada)
    Contact.objects.filter(pk=ada.pk).update(opted_out_at=NOW + dt.timedelta(hours=1))
    assert deliver_due(now=LATER).held == 1
    (m,) = nudges()
    assert (m.status, m.reason_code) == ("held", "opted_out")
    assert (ProductEvent.objects.count(), receiver.posts) == (0, [])


def test_a_refusing_then_vanishing_receiver_is_retried_and_nothing_is_lost(
    smtp_sink, receiver, ada
):
    sent_ask(ada)
    receiver.status = 503
    assert deliver_due(now=LATER).retrying == 1
    (m,) = nudges()
    assert (m.status, m.reason_code, m.attempts) == ("queued", "retrying", 1)
    assert ProductEvent.objects.count() == 1  # on the feed already
    receiver.vanish = True
    assert deliver_due(now=LATER + dt.timedelta(seconds=60)).retrying == 1
    receiver.vanish, receiver.status = False, 200
    assert deliver_due(now=LATER + dt.timedelta(seconds=180)).sent == 1
    m.refresh_from_db()
    assert (m.status, m.attempts) == ("sent", 3)
    results = list(MessageAttempt.objects.filter(message=m).values_list("result", "smtp_code"))
    assert results == [("transient", 503), ("transient", None), ("sent", 200)]
    ids = {json.loads(body)["id"] for _, body in receiver.posts}
    assert ids == {ProductEvent.objects.get().pk}  # the same event, posted again


def test_a_receiver_that_is_not_there_is_retried(smtp_sink, settings, ada):
    settings.PRODUCT_EVENTS_URL = f"http://127.0.0.1:{free_port()}/gone"
    settings.PRODUCT_EVENTS_SECRET = SECRET
    sent_ask(ada)
    assert deliver_due(now=LATER).retrying == 1
    (m,) = nudges()
    assert m.reason.startswith("attempt 1 of 8 failed (the receiver could not be reached")


def test_a_receiver_that_refuses_for_good_fails_the_message_but_keeps_the_event(
    smtp_sink, receiver, ada
):
    sent_ask(ada)
    receiver.status = 410
    assert deliver_due(now=LATER).failed == 1
    (m,) = nudges()
    assert (m.status, m.reason_code) == ("failed", "hook_refused")
    assert ProductEvent.objects.count() == 1


def test_without_a_receiver_the_feed_is_the_delivery(smtp_sink, settings, ada):
    settings.PRODUCT_EVENTS_URL = ""
    sent_ask(ada)
    assert deliver_due(now=LATER).sent == 1
    assert ProductEvent.objects.get().payload["ask"]["type"] == "review"


def test_an_email_step_is_a_reminder_email(smtp_sink, settings, ada):
    settings.PRODUCT_EVENTS_URL = ""
    queued_ask(ada, sequence=(("email", 0), ("email", 72)))
    deliver_due(now=NOW)
    assert deliver_due(now=NOW + dt.timedelta(hours=72)).sent == 1
    (m,) = Message.objects.filter(kind="reminder")
    assert (m.step, m.channel) == (1, "email")
    assert smtp_sink.received[-1]["Subject"].startswith("Following up:")


def test_the_play_gives_its_ask_the_sequence_and_the_reminder_follows(
    smtp_sink, settings, playbook, member
):
    """GIVEN the NPS play (email, then in_app after 120 hours), WHEN a promoter's ask goes
    out and five days pass unanswered, THEN the product event is on the feed."""
    settings.PRODUCT_EVENTS_URL = ""
    ada = asked_promoter(member)
    record_signals(
        [SignalRecord("survey", f"nps-{ada.pk}", "nps", NOW.replace(hour=7),
                      contact_email=ada.email, value=10)],
        actor=None, now=NOW,
    )  # fmt: skip
    run_plays(now=NOW, names=[PLAY])
    ask = Ask.objects.get(contact=ada)
    assert [s["channel"] for s in ask.sequence] == ["email", "in_app"]
    deliver_due(now=NOW)
    deliver_due(now=LATER)
    (event,) = ProductEvent.objects.all()
    assert (event.ask_id, event.contact_id) == (ask.pk, ada.pk)


def test_an_in_product_reminder_ignores_quiet_hours_but_not_a_pause(smtp_sink, settings, ada):
    settings.PRODUCT_EVENTS_URL = ""
    ask = sent_ask(ada)
    settings.QUIET_HOURS = parse_quiet_hours("00:00-23:59")  # always quiet for email
    Contact.objects.filter(pk=ada.pk).update(timezone="Europe/London")
    assert deliver_due(now=LATER).sent == 1  # the product shows it when they are in it
    Message.objects.filter(kind="nudge").delete()
    ProductEvent.objects.all().delete()
    Ask.objects.filter(pk=ask.pk).update(paused_at=LATER, paused_reason="support issue")
    assert deliver_due(now=LATER + dt.timedelta(hours=1)).steps_queued == 0
