"""`advocacy webhooks`: add prints the secret once, the log and redeliver; roles."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from advocacy.engine.asks import AskRequest, open_asks
from advocacy.integrations.webhooks import delivery as sender
from advocacy.integrations.webhooks.models import Delivery
from advocacy.pipeline.models import AskType
from advocacy.references.tests.world import advocate

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("webhooks", *args, stdout=out)
    return out.getvalue()


def test_add_prints_the_secret_once_and_list_and_show_never(receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    data = json.loads(
        run("add", receiver.url, "--name", "local", "--event", "ask.opened", "--json")
    )
    secret = data["secret"]
    assert (data["name"], data["events"], data["url"]) == ("local", ["ask.opened"], receiver.url)
    shown = run("show", "local", "--json") + run("list", "--json") + run("list")
    assert secret not in shown and "local" in shown
    receiver.secret = secret
    now = timezone.now()
    ann = advocate("ann@a.example")
    open_asks([AskRequest(ann.pk, AskType.objects.get(code="case_study"), "m:1")], now=now)
    receiver.answers = [502]
    sender.deliver_due(now)
    d = Delivery.objects.get()
    [row] = json.loads(run("deliveries", "--endpoint", "local", "--json"))
    assert (row["id"], row["status"], row["last_status"]) == (d.pk, "failed", 502)
    one = json.loads(run("deliveries", "--id", str(d.pk), "--json"))
    assert [a["status_code"] for a in one["attempts_log"]] == [502]
    assert one["payload"]["type"] == "ask.opened"
    assert "queued again" in run("redeliver", str(d.pk))
    sender.deliver_due(timezone.now())
    assert Delivery.objects.get().status == "delivered"
    assert [r.verified for r in receiver.received] == [True, True]
    with pytest.raises(CommandError, match="nothing was queued again"):
        run("redeliver", "99999")
    assert json.loads(run("remove", "local", "--json")) == {"removed": True}
    assert run("list").startswith("no webhook endpoints yet")


def test_every_event_by_default_and_bad_input_is_a_clear_error():
    data = json.loads(run("add", "https://crm.example.com/in", "--name", "crm", "--json"))
    assert data["events"] == [
        "ask.opened", "ask.completed", "reference.filled", "content.published", "reward.credited",
    ]  # fmt: skip
    with pytest.raises(CommandError, match="an endpoint takes https"):
        run("add", "http://crm.example.com/in", "--name", "x")
    with pytest.raises(CommandError, match="no webhook endpoint 'nope'"):
        run("show", "nope")


def test_customer_success_reads_but_may_not_add(member):
    assert run("list", "--as", member.username).startswith("no webhook endpoints yet")
    with pytest.raises(CommandError, match="may not add or remove webhook endpoints and redeliver"):
        run("add", "https://a.example/", "--name", "x", "--as", member.username)
