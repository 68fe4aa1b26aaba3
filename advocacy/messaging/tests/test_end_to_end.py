"""GIVEN a promoter answers 10, WHEN the plays run and the outbox delivers over a real SMTP
conversation, THEN one email arrives from the ask's owner, with both unsubscribe headers and a
magic link to the ask, and the ask is sent."""

from __future__ import annotations

import re

import pytest

from advocacy.engine.evaluation import in_holdout, run_plays
from advocacy.messaging.delivery import deliver_due
from advocacy.messaging.links import read_link
from advocacy.messaging.models import Message, MessageAttempt
from advocacy.messaging.tests.conftest import NOW, promoter
from advocacy.pipeline.models import Ask
from advocacy.signals.records import SignalRecord
from advocacy.signals.services import record_signals

pytestmark = pytest.mark.django_db
PLAY = "nps-promoter-review"


def asked_promoter(owner):
    """A promoter outside the play's holdout (it keeps a tenth of promoters unasked)."""
    for i in range(20):
        contact = promoter(owner, email=f"ada{i}@acme.example")
        if not in_holdout(PLAY, contact.pk, 0.1):
            return contact
    raise AssertionError("every promoter fell in the holdout")


def test_an_nps_ten_becomes_an_email_with_unsubscribe_headers_and_a_magic_link(
    smtp_sink, playbook, member
):
    # The play gives the ask to the marketing pool: it comes from the CSM who owns the account.
    member.first_name, member.last_name = "Carla", "Csm"
    member.save()
    ada = asked_promoter(member)
    record_signals(
        [SignalRecord("survey", f"nps-{ada.pk}", "nps", NOW.replace(hour=7),
                      contact_email=ada.email, value=10)],
        actor=None, now=NOW,
    )  # fmt: skip
    run_plays(now=NOW, names=[PLAY])
    ask = Ask.objects.get(contact=ada)
    (message,) = Message.objects.all()
    assert (message.kind, message.status, message.ask_id, message.due_at) == (
        "ask", "queued", ask.pk, NOW,
    )  # fmt: skip

    report = deliver_due(now=NOW)

    assert (report.sent, report.failed, report.held) == (1, 0, 0)
    (mail,) = smtp_sink.received
    assert smtp_sink.envelopes == [("advocacy@program.example", [ada.email])]
    assert mail["From"] == "Carla Csm <member@example.com>"
    assert mail["Sender"] == "advocacy@program.example"
    assert mail["To"] == ada.email
    assert mail["Subject"] == "Quick favor? (2 minutes)"
    message.refresh_from_db()
    assert mail["Message-ID"] == message.message_id
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    mailto, https = re.fullmatch(
        r"\s*<(mailto:[^>]+)>,\s*<(https://[^>]+)>\s*", mail["List-Unsubscribe"]
    ).groups()
    assert mailto.startswith("mailto:advocacy@program.example?subject=unsubscribe%20")
    assert https.startswith("https://advocacy.example/unsubscribe/")
    assert [p.get_content_type() for p in mail.walk()] == [
        "multipart/alternative", "text/plain", "text/html",
    ]  # fmt: skip
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Hi Ada," in text
    assert "I noticed you gave us a 10 out of 10" in text
    (token,) = re.findall(r"https://advocacy\.example/portal/enter/([^/\s]+)/", text)
    claim = read_link(token)
    assert (claim.contact_id, claim.ask_id) == (ada.pk, ask.pk)
    assert f"/portal/enter/{token}/" in html
    assert "Carla Csm" in text
    assert https in text
    assert (message.status, message.attempts, message.sent_at) == ("sent", 1, NOW)
    assert list(MessageAttempt.objects.values_list("result", "smtp_code")) == [("sent", None)]
    ask.refresh_from_db()
    assert (ask.status, ask.sent_at) == ("sent", NOW)
    assert ask.events.last().note == "the email went out"
    # (the header may be folded over lines, as RFC 5322 allows)
    # Nothing is due any more: a second delivery sends nothing.
    assert deliver_due(now=NOW).sent == 0
    assert len(smtp_sink.received) == 1
