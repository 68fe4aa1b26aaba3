"""Team notices by email: GIVEN a notice for a team member, WHEN the outbox delivers, THEN it
goes to them by email if they chose it, once, through the same SMTP machinery, and is stamped
delivered only when the server accepted it."""

from __future__ import annotations

import datetime as dt

import pytest

from advocacy.messaging.delivery import deliver_due
from advocacy.messaging.models import Message, MessageAttempt
from advocacy.messaging.outbox import queue_notices
from advocacy.messaging.tests.conftest import NOW, promoter
from advocacy.pipeline.notices import Notice, NoticeDraft, NoticeKind, notify

pytestmark = pytest.mark.django_db


def a_notice(contact, recipient, *, key: str = "ask_accepted:1", at: dt.datetime = NOW) -> Notice:
    notify(
        [
            NoticeDraft(
                key=key,
                kind=NoticeKind.ASK_ACCEPTED,
                contact_id=contact.pk,
                recipient_id=getattr(recipient, "pk", None),
                role="" if recipient is not None else "marketing",
                text="Ada Lovelace accepted the review",
            )
        ],
        now=at,
    )
    return Notice.objects.get(key=key)


def test_a_notice_is_emailed_to_its_recipient_once_and_stamped_delivered(smtp_sink, member):
    notice = a_notice(promoter(member), member)

    report = deliver_due(now=NOW)

    assert (report.notices_queued, report.sent) == (1, 1)
    (mail,) = smtp_sink.received
    assert smtp_sink.envelopes == [("advocacy@program.example", ["member@example.com"])]
    assert (
        mail["Subject"] == "[Customer advocates] Accepted an ask: Ada Lovelace accepted the review"
    )
    assert mail["From"] == "advocacy@program.example"
    assert mail["List-Unsubscribe"] is None
    text = mail.get_body(("plain",)).get_content()
    assert "Ada Lovelace, Acme" in text
    assert f"https://advocacy.example/contacts/{notice.contact_id}/" in text
    (message,) = Message.objects.all()
    assert (message.kind, message.status, message.notice_id, message.to_address) == (
        "notice", "sent", notice.pk, "member@example.com"
    )  # fmt: skip
    notice.refresh_from_db()
    assert notice.delivered_at == NOW
    again = deliver_due(now=NOW + dt.timedelta(minutes=1))
    assert (again.notices_queued, again.sent, len(smtp_sink.received)) == (0, 0, 1)


def test_a_team_member_who_chose_the_queue_gets_no_email(smtp_sink, member):
    member.notify_by = "queue"
    member.save()
    notice = a_notice(promoter(member), member)
    report = deliver_due(now=NOW)
    assert (report.notices_queued, report.sent, smtp_sink.received) == (0, 0, [])
    assert Message.objects.count() == 0
    notice.refresh_from_db()
    assert notice.delivered_at is None  # it stays on the work queue


def test_a_failure_is_retried_and_the_notice_stays_undelivered_until_it_goes(smtp_sink, member):
    notice = a_notice(promoter(member), member)
    smtp_sink.rcpt = "451 4.3.0 try again later"
    report = deliver_due(now=NOW)
    assert (report.sent, report.retrying) == (0, 1)
    notice.refresh_from_db()
    assert notice.delivered_at is None
    smtp_sink.rcpt = None
    later = NOW + dt.timedelta(minutes=5)
    report = deliver_due(now=later)
    assert (report.notices_queued, report.sent) == (0, 1)
    assert list(MessageAttempt.objects.values_list("result", "smtp_code")) == [
        ("transient", 451), ("sent", None)
    ]  # fmt: skip
    notice.refresh_from_db()
    assert notice.delivered_at == later


def test_the_holds_of_the_advocate_do_not_stop_the_teams_notice(smtp_sink, member):
    ada = promoter(member)
    ada.opted_out_at = NOW
    ada.save()
    a_notice(ada, member)
    assert deliver_due(now=NOW).sent == 1


def test_a_pool_notice_goes_to_the_team_address_or_stays_on_the_queue(smtp_sink, member, settings):
    ada = promoter(member)
    a_notice(ada, None, key="pool:1")
    assert deliver_due(now=NOW).notices_queued == 0
    settings.TEAM_EMAIL = "team@program.example"
    report = deliver_due(now=NOW)
    assert (report.notices_queued, report.sent) == (1, 1)
    assert smtp_sink.envelopes == [("advocacy@program.example", ["team@program.example"])]


def test_a_notice_older_than_a_week_is_left_on_the_queue(smtp_sink, member):
    a_notice(promoter(member), member, at=NOW - dt.timedelta(days=8))
    assert deliver_due(now=NOW).notices_queued == 0


def test_queueing_is_set_based(smtp_sink, member, django_assert_max_num_queries):
    ada = promoter(member)
    for i in range(30):
        a_notice(ada, member, key=f"k:{i}")
    with django_assert_max_num_queries(3):
        assert queue_notices(NOW) == 30


def test_the_owner_is_told_once_when_an_asks_follow_up_date_comes(smtp_sink, member):
    from advocacy.messaging.tests.test_delivery import queued_ask

    ask = queued_ask(promoter(member), follow_up_at=NOW + dt.timedelta(days=5))
    deliver_due(now=NOW)  # the ask's email goes: it is sent
    assert deliver_due(now=NOW + dt.timedelta(days=4)).follow_ups_noted == 0
    due = NOW + dt.timedelta(days=5)
    report = deliver_due(now=due)
    assert (report.reminders_queued, report.follow_ups_noted) == (1, 1)
    notice = Notice.objects.get(kind="follow_up_due")
    assert (notice.ask_id, notice.recipient_id) == (ask.pk, member.pk)
    assert notice.text.startswith("follow up with Ada Lovelace (Acme) on the Review")
    later = deliver_due(now=due + dt.timedelta(minutes=1))  # emailed at the next pass
    assert (later.notices_queued, later.sent, later.follow_ups_noted) == (1, 1, 0)
    assert smtp_sink.received[-1]["To"] == "member@example.com"
    assert deliver_due(now=due + dt.timedelta(days=1)).follow_ups_noted == 0  # once per ask
