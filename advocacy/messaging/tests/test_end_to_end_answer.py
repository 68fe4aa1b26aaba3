"""GIVEN a promoter's ask emailed over a real SMTP conversation, WHEN they open the magic link
(a POST, as a person does; mail scanners only GET) and press Accept, THEN the ask is accepted,
its owner finds a notice on their work queue, and the next delivery emails it to them, unless
they chose the work queue only."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from advocacy.engine.evaluation import run_plays
from advocacy.messaging.delivery import deliver_due
from advocacy.messaging.tests.conftest import NOW
from advocacy.messaging.tests.test_end_to_end import PLAY, asked_promoter
from advocacy.pipeline.models import Ask, AskStatus
from advocacy.pipeline.notices import Notice, NoticeKind
from advocacy.pipeline.process_models import RoutingRule
from advocacy.signals.records import SignalRecord
from advocacy.signals.services import record_signals

pytestmark = pytest.mark.django_db
LATER = NOW + dt.timedelta(hours=1)  # when the advocate reads the email and answers


def emailed_ask(smtp_sink: Any, owner: Any) -> tuple[Ask, str]:
    """A promoter's ask, owned by `owner` (a routing rule gives it them), emailed: the ask
    and the magic link's path in the email."""
    RoutingRule.objects.create(
        position=1, name="promoters to their CSM", owner=owner, role="cs",
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    ada = asked_promoter(owner)
    record_signals(
        [SignalRecord("survey", f"nps-{ada.pk}", "nps", NOW.replace(hour=7),
                      contact_email=ada.email, value=10)],
        actor=None, now=NOW,
    )  # fmt: skip
    run_plays(now=NOW, names=[PLAY])
    ask = Ask.objects.get(contact=ada)
    assert ask.owner_id == owner.pk
    assert deliver_due(now=NOW).sent == 1
    (mail,) = smtp_sink.received
    assert mail["To"] == ada.email
    text = mail.get_body(("plain",)).get_content()
    (path,) = re.findall(r"https://advocacy\.example(/portal/enter/[^/\s]+/)", text)
    return ask, path


def accept_in_the_portal(path: str, ask: Ask) -> None:
    """Open the link with a POST, then press the ask's Accept button (its form, as served)."""
    advocate = Client()
    with time_machine.travel(LATER, tick=False):
        opened = advocate.post(path)
        assert (opened.status_code, opened["Location"]) == (302, f"/portal/#ask-{ask.pk}")
        page = advocate.get("/portal/").content.decode()
        form = re.search(
            r'<form method="post" action="([^"]+)">(?:(?!</form>).)*?'
            r'name="answer" value="(accept)"[^>]*data-testid="accept"',
            page,
            re.S,
        )
        assert form is not None, "no Accept button on the portal's page"
        action, value = html.unescape(form.group(1)), form.group(2)
        assert action == f"/portal/asks/{ask.pk}/answer/"
        answered = advocate.post(action, {"answer": value, "reason": ""})
    assert answered.status_code == 302


def test_accepting_in_the_portal_emails_the_owner_a_notice(smtp_sink, playbook, member):
    ask, path = emailed_ask(smtp_sink, member)

    accept_in_the_portal(path, ask)

    ask.refresh_from_db()
    assert ask.status == AskStatus.ACCEPTED
    notice = Notice.objects.get(kind=NoticeKind.ASK_ACCEPTED)
    assert list(Notice.objects.for_user(member).undelivered()) == [notice]
    assert (notice.ask_id, notice.recipient_id, notice.at) == (ask.pk, member.pk, LATER)
    staff = Client()
    staff.force_login(member)
    with time_machine.travel(LATER, tick=False):
        dashboard = staff.get("/").content.decode()
    assert html.escape(notice.text) in dashboard  # on their work queue

    report = deliver_due(now=LATER)

    assert (report.notices_queued, report.sent, report.failed) == (1, 1, 0)
    assert len(smtp_sink.received) == 2
    told = smtp_sink.received[-1]
    assert smtp_sink.envelopes[-1] == ("advocacy@program.example", [member.email])
    assert told["Subject"] == f"[Customer advocates] Accepted an ask: {notice.text}"
    body = told.get_body(("plain",)).get_content()
    assert notice.text in body
    assert f"https://advocacy.example/asks/{ask.pk}/" in body
    notice.refresh_from_db()
    assert notice.delivered_at == LATER
    assert deliver_due(now=LATER).sent == 0  # once


def test_an_owner_who_chose_the_work_queue_gets_no_email(smtp_sink, playbook, member):
    member.notify_by = "queue"
    member.save()
    ask, path = emailed_ask(smtp_sink, member)

    accept_in_the_portal(path, ask)

    ask.refresh_from_db()
    assert ask.status == AskStatus.ACCEPTED
    notice = Notice.objects.get(kind=NoticeKind.ASK_ACCEPTED)
    report = deliver_due(now=LATER)
    assert (report.notices_queued, report.sent) == (0, 0)
    assert len(smtp_sink.received) == 1  # the advocate's ask only
    assert list(Notice.objects.for_user(member).undelivered()) == [notice]
