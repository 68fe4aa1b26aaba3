"""`advocacy outbox`: list, show, preview, test, retry and deliver, with `--as` checked."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from advocacy.messaging.models import Message
from advocacy.messaging.tests.conftest import NOW, promoter
from advocacy.messaging.tests.test_delivery import queued_ask

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("outbox", *args, stdout=out)
    return out.getvalue()


def test_deliver_list_show_and_retry(smtp_sink, member):
    ask = queued_ask(promoter(member))
    smtp_sink.rcpt = "550 no such user"
    report = json.loads(run("deliver", "--as-of", NOW.isoformat(), "--json"))
    assert (report["sent"], report["failed"]) == (0, 1)
    listed = json.loads(run("list", "--status", "failed", "--json"))
    (row,) = listed["messages"]
    assert (row["ask_id"], row["reason_code"]) == (ask.pk, "refused")
    assert listed["counts"] == {"failed": 1}
    shown = run("show", str(row["id"]))
    assert "permanent 550 550 no such user" in shown
    smtp_sink.rcpt = None
    assert run("retry", str(row["id"]), "--as", "member") == "1 message(s) queued again\n"
    assert "1 sent" in run("deliver")
    assert Message.objects.get().status == "sent"


def test_preview_and_a_test_to_oneself(smtp_sink, member, viewer):
    ask = queued_ask(promoter(member))
    text = run("preview", str(ask.pk))
    assert "Subject: Quick favor? (2 minutes)" in text
    assert "Hi Ada," in text
    assert run("test", str(ask.pk), "--as", "member").startswith("test sent to member@example.com")
    assert smtp_sink.received[0]["Subject"] == "[Test] Quick favor? (2 minutes)"
    with pytest.raises(CommandError, match="may not send a test of an ask's email"):
        run("test", str(ask.pk), "--as", "viewer")
