"""Delivery over a real SMTP conversation when the server refuses, fails for now, vanishes or
cannot be reached, and for a malformed address: each ends in a clear state, none is lost."""

from __future__ import annotations

import datetime as dt

import pytest

from advocacy.customers.models import Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.policy import Policy
from advocacy.messaging.delivery import deliver_due
from advocacy.messaging.models import Message, MessageAttempt
from advocacy.messaging.tests.conftest import NOW, free_port, promoter
from advocacy.pipeline.models import Ask, AskStatus, AskType

pytestmark = pytest.mark.django_db
NO_CAPS = Policy(cap_days=dict.fromkeys(("low", "medium", "high", "very_high"), 0), ask_types={})


def queued_ask(contact: Contact, *, code: str = "review", at: dt.datetime = NOW, **kw) -> Ask:
    request = AskRequest(
        contact.pk,
        AskType.objects.get(code=code),
        f"test:{code}:{contact.pk}",
        status=kw.pop("status", AskStatus.QUEUED),
        channel=kw.pop("channel", "email"),
        owner_id=contact.account.owner_id,
        **kw,
    )
    return open_asks([request], now=at, policy=NO_CAPS).opened[0]


@pytest.fixture
def ada(member) -> Contact:
    return promoter(member)


def the_message() -> Message:
    (message,) = Message.objects.all()
    return message


def attempts() -> list[tuple[str, int | None]]:
    return list(MessageAttempt.objects.values_list("result", "smtp_code"))


def test_a_refused_recipient_fails_for_good_and_tells_the_owner(smtp_sink, ada):
    ask = queued_ask(ada)
    smtp_sink.rcpt = "550 5.1.1 <ada@acme.example>: no such user"
    report = deliver_due(now=NOW)
    assert (report.sent, report.failed) == (0, 1)
    m = the_message()
    assert (m.status, m.reason_code, m.attempts) == ("failed", "refused", 1)
    assert m.reason == "The mail server refused it: 550 5.1.1 <ada@acme.example>: no such user"
    assert attempts() == [("permanent", 550)]
    assert smtp_sink.received == []
    ask.refresh_from_db()
    assert ask.status == "queued"  # it never went out
    assert ask.events.last().note == f"email to ada@acme.example failed: {m.reason}"
    # A failed message is never retried by itself.
    assert deliver_due(now=NOW + dt.timedelta(days=1)).batches == 0


def test_a_temporary_refusal_is_retried_with_a_doubling_wait(smtp_sink, ada):
    queued_ask(ada)
    smtp_sink.data = "451 4.3.0 try again later"
    assert deliver_due(now=NOW).retrying == 1
    m = the_message()
    assert (m.status, m.reason_code, m.attempts) == ("queued", "retrying", 1)
    assert m.due_at == NOW + dt.timedelta(seconds=60)
    assert deliver_due(now=NOW + dt.timedelta(seconds=59)).batches == 0  # not due yet
    assert deliver_due(now=NOW + dt.timedelta(seconds=60)).retrying == 1
    m.refresh_from_db()
    assert (m.attempts, m.due_at) == (2, NOW + dt.timedelta(seconds=60 + 120))
    smtp_sink.data = None
    assert deliver_due(now=NOW + dt.timedelta(seconds=180)).sent == 1
    m.refresh_from_db()
    assert (m.status, m.attempts, m.reason) == ("sent", 3, "")
    assert attempts() == [("transient", 451), ("transient", 451), ("sent", None)]
    assert len(smtp_sink.received) == 1


def test_a_server_that_vanishes_mid_conversation_loses_nothing(smtp_sink, member):
    for i in range(3):
        queued_ask(promoter(member, email=f"p{i}@acme.example"))
    smtp_sink.vanish = True
    report = deliver_due(now=NOW)
    assert (report.sent, report.retrying) == (0, 3)
    assert set(Message.objects.values_list("status", "reason_code")) == {("queued", "retrying")}
    smtp_sink.vanish = False
    assert deliver_due(now=NOW + dt.timedelta(minutes=1)).sent == 3
    assert sorted(m["To"] for m in smtp_sink.received) == [
        "p0@acme.example", "p1@acme.example", "p2@acme.example",
    ]  # fmt: skip


def test_an_unreachable_server_is_retried_until_the_attempts_run_out(settings, ada):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_TIMEOUT, settings.QUIET_HOURS = 5, None
    settings.OUTBOX_MAX_ATTEMPTS = 3
    queued_ask(ada)
    at = NOW
    for _ in range(3):
        deliver_due(now=at)
        at += dt.timedelta(hours=1)
    m = the_message()
    assert (m.status, m.reason_code, m.attempts) == ("failed", "gave_up", 3)
    assert m.reason.startswith("Every attempt failed (3 attempts): the mail server could not be")
    assert [r for r, _ in attempts()] == ["transient"] * 3


def test_a_malformed_address_fails_without_a_conversation(smtp_sink, ada):
    Contact.objects.filter(pk=ada.pk).update(email="ada at acme")
    queued_ask(ada)
    assert deliver_due(now=NOW).failed == 1
    m = the_message()
    assert (m.status, m.reason_code) == ("failed", "bad_address")
    assert m.reason == "The address is not a valid email address: malformed address: 'ada at acme'"
    assert attempts() == [("permanent", None)]
    assert smtp_sink.received == []


def test_a_failed_message_can_be_sent_again(smtp_sink, ada):
    from advocacy.messaging.services import send_again

    queued_ask(ada)
    smtp_sink.rcpt = "550 no"
    deliver_due(now=NOW)
    smtp_sink.rcpt = None
    assert send_again([the_message().pk], now=NOW) == 1
    assert deliver_due(now=NOW).sent == 1
    assert the_message().status == "sent"


def test_a_batch_near_the_end_of_its_lease_puts_the_rest_back_untried(smtp_sink, member):
    from advocacy.messaging.delivery import Courier, claim, deliver_batch

    for i in range(3):
        queued_ask(promoter(member, email=f"p{i}@acme.example"))
    token = claim(NOW, worker_id="slow", size=10)
    ticks = iter(
        [NOW, NOW + dt.timedelta(minutes=9, seconds=59), NOW + dt.timedelta(minutes=9, seconds=59)]
    )
    courier = Courier()
    try:
        report = deliver_batch(
            token, now=NOW, clock=lambda: next(ticks), worker_id="slow", courier=courier
        )
    finally:
        courier.close()
    assert (report.sent, report.released) == (1, 2)
    assert sorted(Message.objects.values_list("status", flat=True)) == ["queued", "queued", "sent"]
    assert len(smtp_sink.received) == 1
    assert MessageAttempt.objects.count() == 1  # the two put back were not tried
