"""Nothing goes to the wrong person: checked at delivery time, each case held with its reason.
And the messages that wait: quiet hours in the person's zone, reminders, thank-yous."""

from __future__ import annotations

import datetime as dt

import pytest

from advocacy.customers.models import Contact
from advocacy.customers.suppression import suppress, suppress_mail
from advocacy.messaging.delivery import deliver_due
from advocacy.messaging.models import Message
from advocacy.messaging.tests.conftest import NOW, promoter
from advocacy.messaging.tests.test_delivery import queued_ask
from advocacy.pipeline.models import AskStatus
from advocacy.pipeline.pausing import pause_ask, resume_ask
from advocacy.pipeline.services import advance_ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(member) -> Contact:
    return promoter(member)


def state() -> tuple[str, str]:
    (m,) = Message.objects.filter(kind="ask")
    return m.status, m.reason_code


def test_an_opted_out_person_is_held(smtp_sink, ada):
    queued_ask(ada)
    Contact.objects.filter(pk=ada.pk).update(opted_out_at=NOW)  # after the ask was written
    assert deliver_due(now=NOW).held == 1
    assert state() == ("held", "opted_out")
    assert Message.objects.get().reason == "The person opted out of asks"
    assert smtp_sink.received == []


def test_someone_who_left_the_company_is_held(smtp_sink, ada):
    queued_ask(ada)
    Contact.objects.filter(pk=ada.pk).update(left_company_at=NOW)
    deliver_due(now=NOW)
    assert state() == ("held", "left_company")
    assert smtp_sink.received == []


def test_an_unsubscribed_address_is_held(smtp_sink, ada):
    queued_ask(ada)
    suppress_mail([ada.email.upper()], now=NOW)
    deliver_due(now=NOW)
    assert state() == ("held", "unsubscribed")
    assert smtp_sink.received == []


def test_an_address_on_the_suppression_list_is_held(smtp_sink, ada):
    queued_ask(ada)
    suppress([ada.email], now=NOW)
    deliver_due(now=NOW)
    assert state() == ("held", "suppressed")
    assert smtp_sink.received == []


def test_a_paused_ask_holds_its_email_until_it_is_resumed(smtp_sink, ada, member):
    ask = queued_ask(ada)
    pause_ask(ask, "a support issue is open", actor=member, now=NOW)
    deliver_due(now=NOW)
    assert state() == ("held", "paused")
    assert Message.objects.get().reason == (
        "The ask is paused (a support issue is open); it goes once the ask is resumed"
    )
    assert smtp_sink.received == []
    ask.refresh_from_db()
    resume_ask(ask, actor=member, now=NOW + dt.timedelta(hours=1))
    assert deliver_due(now=NOW + dt.timedelta(hours=1)).sent == 1
    assert state() == ("sent", "")


def test_an_ask_that_moved_on_cancels_its_email(smtp_sink, ada, member):
    ask = queued_ask(ada)
    advance_ask(ask, AskStatus.CANCELLED, actor=member, now=NOW)
    assert deliver_due(now=NOW).cancelled == 1
    assert state() == ("cancelled", "ask_moved")
    assert Message.objects.get().reason == "The ask moved on without this email: it is cancelled"
    assert smtp_sink.received == []


def test_the_checks_are_set_based(smtp_sink, member, django_assert_max_num_queries):
    """Holding 1 or 30 messages takes the same statements."""
    people = [promoter(member, email=f"p{i}@acme.example") for i in range(30)]
    for p in people:
        queued_ask(p)
    Contact.objects.filter(pk__in=[p.pk for p in people]).update(opted_out_at=NOW)
    with django_assert_max_num_queries(16):
        assert deliver_due(now=NOW, reminders=False).held == 30


def test_quiet_hours_follow_the_persons_time_zone(smtp_sink, settings, ada, member):
    from advocacy.core.quiet import parse_quiet_hours

    settings.QUIET_HOURS = parse_quiet_hours("20:00-08:00")
    settings.TIME_ZONE = "Europe/London"
    Contact.objects.filter(pk=ada.pk).update(timezone="Asia/Tokyo")  # noon UTC is 21:00 there
    london = promoter(member, email="bob@acme.example")  # noon UTC is 13:00 in London
    queued_ask(ada)
    queued_ask(london)
    report = deliver_due(now=NOW)
    assert (report.sent, report.deferred) == (1, 1)
    waiting = Message.objects.get(contact=ada)
    assert (waiting.status, waiting.reason_code) == ("queued", "quiet_hours")
    assert waiting.due_at == dt.datetime(2026, 6, 1, 23, tzinfo=dt.UTC)  # 08:00 in Tokyo
    assert waiting.reason == "Quiet hours (20:00-08:00) in Asia/Tokyo: goes at 08:00 there"
    assert deliver_due(now=waiting.due_at).sent == 1
    assert [m["To"] for m in smtp_sink.received] == ["bob@acme.example", "ada@acme.example"]


def test_a_reminder_follows_when_no_answer_came(smtp_sink, ada, member):
    ask = queued_ask(ada, follow_up_at=NOW + dt.timedelta(days=5))
    deliver_due(now=NOW)
    assert deliver_due(now=NOW + dt.timedelta(days=4)).reminders_queued == 0
    later = NOW + dt.timedelta(days=5)
    report = deliver_due(now=later)
    assert (report.reminders_queued, report.sent) == (1, 1)
    assert smtp_sink.received[-1]["Subject"] == "Following up: Quick favor? (2 minutes)"
    assert deliver_due(now=later + dt.timedelta(days=1)).reminders_queued == 0  # once
    other = queued_ask(promoter(member, email="bob@acme.example"), follow_up_at=later)
    deliver_due(now=NOW)
    other.refresh_from_db()
    advance_ask(other, AskStatus.ACCEPTED, actor=member, now=NOW)  # answered: no reminder
    assert deliver_due(now=later + dt.timedelta(days=1)).reminders_queued == 0
    assert ask.messages.count() == 2


def test_a_completed_ask_sends_its_thanks(smtp_sink, ada, member):
    ask = queued_ask(ada, status=AskStatus.SENT, channel="csm")  # asked in person, no email
    assert Message.objects.count() == 0
    for status in (AskStatus.ACCEPTED, AskStatus.COMPLETED):
        advance_ask(ask, status, actor=member, now=NOW)
    (m,) = Message.objects.all()
    assert m.kind == "thanks"
    assert deliver_due(now=NOW).sent == 1
    assert smtp_sink.received[0]["Subject"] == "Thank you, Ada"


def test_a_reference_offer_is_an_invitation_with_talking_points(smtp_sink, ada):
    queued_ask(ada, code="reference_call", status=AskStatus.SENT)
    (m,) = Message.objects.all()
    assert m.kind == "invite"
    deliver_due(now=NOW)
    mail = smtp_sink.received[0]
    assert mail["Subject"] == "Would you share your experience with a few prospects?"
    text = mail.get_body(("plain",)).get_content()
    assert "We've been helping prospects learn from customers like you" in text
    assert "- Your implementation experience" in text


def test_a_draft_sent_for_review_asks_its_advocate_to_approve_it(smtp_sink, ada, member):
    from advocacy.content.models import Asset
    from advocacy.content.services import move_asset

    asset = Asset.objects.create(
        kind="quote", title="Acme halved its onboarding time", contact=ada, account=ada.account,
        body="We halved our onboarding time.", created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    move_asset(asset, "advocate_review", actor=member, now=NOW)
    (m,) = Message.objects.all()
    assert (m.kind, m.asset_id) == ("approval", asset.pk)
    assert deliver_due(now=NOW).sent == 1
    mail = smtp_sink.received[0]
    assert mail["Subject"] == "Would you approve your quote?"
    assert '"Acme halved its onboarding time"' in mail.get_body(("plain",)).get_content()
    # Back to draft before the next delivery: the next request goes, the stale one does not.
    move_asset(asset, "draft", actor=member, now=NOW)
    move_asset(asset, "advocate_review", actor=member, now=NOW)
    move_asset(asset, "draft", actor=member, now=NOW)
    assert deliver_due(now=NOW).cancelled == 1
    assert Message.objects.filter(status="cancelled").get().reason == (
        "The content moved on without this email: it is draft"
    )


def test_an_unsubscribe_outlives_the_contact_and_its_reimport(smtp_sink, ada, member):
    """GIVEN a person unsubscribed by the link in an email, WHEN their contact is deleted and
    imported again (a CRM resync), THEN their next email is still held."""
    from advocacy.customers.records import AccountRef, ContactRecord
    from advocacy.customers.services import upsert_contacts
    from advocacy.messaging.unsubscribe import unsubscribe, unsubscribe_token

    unsubscribe(unsubscribe_token(ada.pk), now=NOW)
    Contact.objects.filter(pk=ada.pk).delete()
    upsert_contacts(
        [ContactRecord(email="ada@acme.example", account_ref=AccountRef(domain="acme.example"))],
        actor=None,
        now=NOW,
    )
    again = Contact.objects.get(email="ada@acme.example")
    assert again.opted_out_at is None  # a new record: only the suppression list remembers
    queued_ask(again)
    deliver_due(now=NOW)
    assert state() == ("held", "unsubscribed")
    assert smtp_sink.received == []
