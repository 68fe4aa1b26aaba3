"""The outbox in the web UI: the page with its empty state and tallies, an ask's emails, the
preview, "send a test to me", and the public unsubscribe page (one-click, RFC 8058)."""

from __future__ import annotations

import pytest

from advocacy.customers.models import Contact, Suppression
from advocacy.messaging.delivery import deliver_due
from advocacy.messaging.models import Message
from advocacy.messaging.tests.conftest import NOW, promoter, smtp_sink  # noqa: F401
from advocacy.messaging.tests.test_delivery import queued_ask
from advocacy.messaging.unsubscribe import trial_token, unsubscribe_token

pytestmark = pytest.mark.django_db


def test_the_outbox_page_says_what_to_do_when_empty(client, viewer):
    client.force_login(viewer)
    page = client.get("/outbox/")
    assert page.status_code == 200
    assert "No emails yet" in page.content.decode()


def test_the_outbox_lists_messages_with_their_state_and_reason(client, viewer, member, smtp_sink):  # noqa: F811
    ada = promoter(member)
    queued_ask(ada)
    Contact.objects.filter(pk=ada.pk).update(opted_out_at=NOW)
    deliver_due(now=NOW)
    client.force_login(viewer)
    body = client.get("/outbox/?status=held").content.decode()
    assert 'data-testid="message-row"' in body
    assert "The person opted out of asks" in body
    assert (
        client.get("/outbox/?status=sent").content.decode().count('data-testid="message-row"') == 0
    )
    detail = client.get(f"/outbox/{Message.objects.get().pk}/").content.decode()
    assert "Not tried yet." in detail


def test_the_ask_page_shows_a_failure_and_its_owner_sees_it(client, member, smtp_sink):  # noqa: F811
    ask = queued_ask(promoter(member))
    smtp_sink.rcpt = "550 5.1.1 no such user"
    deliver_due(now=NOW)
    client.force_login(member)
    body = client.get(f"/asks/{ask.pk}/").content.decode()
    assert 'data-testid="ask-email-status">Failed<' in body
    assert "The mail server refused it: 550 5.1.1 no such user" in body
    mine = client.get("/outbox/?mine=1&status=failed").content.decode()
    assert mine.count('data-testid="message-row"') == 1


def test_preview_and_a_test_to_me(client, member, smtp_sink):  # noqa: F811
    ask = queued_ask(promoter(member))
    client.force_login(member)
    page = client.get(f"/asks/{ask.pk}/email/").content.decode()
    assert "Quick favor? (2 minutes)" in page
    assert "PREVIEW-the-advocate-gets-their-own-link" in page
    html = client.get(f"/asks/{ask.pk}/email.html")
    assert html.status_code == 200 and b"G2/Capterra review" in html.content
    response = client.post(f"/asks/{ask.pk}/email/test/")
    assert response.status_code == 302
    (mail,) = smtp_sink.received
    assert mail["To"] == "member@example.com"
    assert mail["Subject"] == "[Test] Quick favor? (2 minutes)"
    assert "/portal/enter/TEST-" in mail.get_body(("plain",)).get_content()
    test = Message.objects.get(kind="test")
    assert (test.status, test.to_email) == ("sent", "member@example.com")
    # The advocate's own email is still queued, untouched by the test.
    assert Message.objects.get(kind="ask").status == "queued"


def test_a_viewer_may_not_send_a_test(client, viewer, member):
    ask = queued_ask(promoter(member))
    client.force_login(viewer)
    assert client.post(f"/asks/{ask.pk}/email/test/").status_code == 403
    assert Message.objects.filter(kind="test").count() == 0


def test_opening_the_unsubscribe_link_changes_nothing(client, member):
    ada = promoter(member)
    page = client.get(f"/unsubscribe/{unsubscribe_token(ada.pk)}/")
    assert page.status_code == 200
    assert 'data-testid="unsubscribe-form"' in page.content.decode()
    ada.refresh_from_db()
    assert ada.opted_out_at is None


def test_one_click_unsubscribe_opts_out_without_a_login(client, member):
    ada = promoter(member)
    ask = queued_ask(ada)
    response = client.post(
        f"/unsubscribe/{unsubscribe_token(ada.pk)}/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert 'data-testid="unsubscribe-done"' in response.content.decode()
    ada.refresh_from_db()
    ask.refresh_from_db()
    assert ada.opted_out_at is not None
    assert ask.status == "cancelled"
    assert Suppression.objects.filter(kind="mail").count() == 1
    # Twice is once.
    client.post(f"/unsubscribe/{unsubscribe_token(ada.pk)}/")
    assert Suppression.objects.filter(kind="mail").count() == 1


def test_a_forged_or_test_token_changes_nothing(client, member):
    ada = promoter(member)
    assert client.post("/unsubscribe/1:forged/").status_code == 404
    page = client.post(f"/unsubscribe/{trial_token(ada.pk)}/")
    assert 'data-testid="unsubscribe-test"' in page.content.decode()
    ada.refresh_from_db()
    assert ada.opted_out_at is None


def test_the_owner_is_told_on_the_dashboard(client, member, smtp_sink):  # noqa: F811
    assert queued_ask(promoter(member)).owner_id == member.pk
    smtp_sink.rcpt = "550 5.1.1 no such user"
    deliver_due(now=NOW)
    client.force_login(member)
    body = client.get("/").content.decode()
    assert "1 email of your asks could not be delivered" in body
