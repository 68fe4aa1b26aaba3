"""advocacy asks list|move|decline."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from advocacy.customers.models import Contact
from advocacy.engine.tests.conftest import NOW, sent_ask
from advocacy.pipeline.models import Ask, AskEvent

pytestmark = pytest.mark.django_db


def run(*args: str) -> Any:
    out = io.StringIO()
    call_command("asks", *args, stdout=out)
    return out.getvalue()


def test_list_with_filters_as_json(ada: Contact) -> None:
    late = sent_ask(ada)
    Ask.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    other = sent_ask(ada, "review", play="")
    Ask.objects.filter(pk=other.pk).update(status="accepted")
    everything = json.loads(run("list", "--json"))
    assert everything["total"] == 2
    overdue = json.loads(run("list", "--overdue", "--json"))
    assert (overdue["total"], [a["id"] for a in overdue["asks"]]) == (1, [late.pk])
    assert overdue["asks"][0]["owner"] == "member"
    accepted = json.loads(run("list", "--status", "accepted", "--json"))
    assert [(a["id"], a["ask_type"], a["status"]) for a in accepted["asks"]] == [
        (other.pk, "review", "accepted")
    ]
    assert "2 ask(s)" in run("list")


def test_move_records_the_actor(ada: Contact, owner: Any) -> None:
    ask = sent_ask(ada)
    body = json.loads(
        run("move", str(ask.pk), "accepted", "--as", "owner", "--note", "yes!", "--json")
    )
    assert body == {
        "id": ask.pk,
        "status": "accepted",
        "fallback_outcome": "none",
        "fallback_id": None,
        "detail": "",
    }
    event = AskEvent.objects.get(ask=ask, to_status="accepted")
    assert (event.actor, event.note) == (owner, "yes!")


def test_a_refused_move_names_the_allowed_ones(ada: Contact) -> None:
    ask = sent_ask(ada)
    with pytest.raises(CommandError) as caught:
        run("move", str(ask.pk), "published")
    assert str(caught.value) == (
        f"ask {ask.pk}: cannot move from sent to published; "
        "allowed from sent: accepted, declined, expired, cancelled"
    )
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        run("move", str(ask.pk), "accepted", "--as", "nobody")
    with pytest.raises(CommandError, match="no ask with id 999999"):
        run("move", "999999", "accepted")


def test_decline_offers_the_fallback(ada: Contact) -> None:
    ask = sent_ask(ada)
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        body = json.loads(run("decline", str(ask.pk), "--json"))
    fallback = Ask.objects.get(moment=f"fallback:{ask.pk}")
    assert body == {
        "id": ask.pk,
        "status": "declined",
        "fallback_outcome": "opened",
        "fallback_id": fallback.pk,
        "detail": f"fallback referral offered as ask {fallback.pk}",
    }


def test_assign_gives_the_ask_an_owner(ada: Contact, owner: Any, member: Any) -> None:
    ask = sent_ask(ada)
    body = json.loads(run("assign", str(ask.pk), "owner", "--as", "member", "--json"))
    assert body == {"id": ask.pk, "owner": "owner"}
    assert Ask.objects.get(pk=ask.pk).owner == owner
    event = AskEvent.objects.get(ask=ask, note="assigned to owner")
    assert (event.from_status, event.to_status, event.actor) == ("sent", "sent", member)
    with pytest.raises(CommandError, match="owner: no user named 'zed'"):
        run("assign", str(ask.pk), "zed")


def test_escalate_dry_run_then_for_real(ada: Contact, owner: Any) -> None:
    late = sent_ask(ada)
    Ask.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=2))
    dry = json.loads(run("escalate", "--dry-run", "--json"))
    assert dry == {
        "dry_run": True,
        "grace_hours": 24,
        "count": 1,
        "asks": [{"id": late.pk, "escalated_to": "owner"}],
    }
    assert Ask.objects.get(pk=late.pk).escalated_at is None
    assert run("escalate") == (
        f"1 ask(s) escalated (overdue by more than 24 h)\n  ask {late.pk} → owner\n"
    )
    assert run("escalate") == "0 ask(s) escalated (overdue by more than 24 h)\n"
    assert Ask.objects.get(pk=late.pk).escalated_to == owner
    with pytest.raises(CommandError, match="--hours: expected 0 or more"):
        run("escalate", "--hours", "-1")


def test_send_by_and_answer_due_are_listed_and_shown(ada: Contact) -> None:
    """GIVEN an ask sent late and one still in time WHEN listed and shown THEN both moments,
    and --missed-window keeps the late one."""
    now = timezone.now().replace(microsecond=0)
    late, fine = sent_ask(ada), sent_ask(ada, "review", play="")
    hour = dt.timedelta(hours=1)
    Ask.objects.filter(pk=late.pk).update(
        send_by=now - 5 * hour, sent_at=now - hour, due_at=now + 48 * hour
    )
    Ask.objects.filter(pk=fine.pk).update(send_by=now + hour, sent_at=None, status="queued")
    missed = json.loads(run("list", "--missed-window", "--json"))
    assert [(a["id"], a["missed_send_window"]) for a in missed["asks"]] == [(late.pk, True)]
    row = missed["asks"][0]
    assert (row["send_by"], row["sent_at"], row["due_at"]) == (
        (now - 5 * hour).isoformat(),
        (now - hour).isoformat(),
        (now + 48 * hour).isoformat(),
    )
    table = run("list")
    # Piped, the table is as wide as its rows: no header or value wraps or is cut.
    header = table.splitlines()[2].split("┃")[-3:-1]
    assert [cell.strip() for cell in header] == ["send by", "answer due"]
    assert "…" not in table
    assert table.count("(missed)") == 1
    shown = run("show", str(late.pk)).splitlines()
    send_by = (now - 5 * hour).strftime("%Y-%m-%d %H:%M")
    due = (now + 48 * hour).strftime("%Y-%m-%d %H:%M")
    assert shown[5:8] == [
        f"Send by:    {send_by} (missed)",
        f"Sent:       {(now - hour).strftime('%Y-%m-%d %H:%M')}",
        f"Answer due: {due}",
    ]
    assert json.loads(run("show", str(fine.pk), "--json"))["missed_send_window"] is False
    with pytest.raises(CommandError, match="no ask with id 999999"):
        run("show", "999999")
