"""A paused ask keeps its status and cannot move on but may be cancelled; pauses are events."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from advocacy.engine.tests.guard_world import NOW, account, ask, person
from advocacy.pipeline.models import Ask, AskEvent
from advocacy.pipeline.pausing import PauseRefused, pause_ask, resume_ask
from advocacy.pipeline.services import AskPaused, InvalidTransition, advance_ask, advance_asks

pytestmark = pytest.mark.django_db
LATER = NOW + dt.timedelta(hours=1)


@pytest.fixture
def sent(member: Any) -> Ask:
    return ask(person(account(owner=member), "ada"), "case_study")


def test_pause_keeps_the_status_and_records_an_event(sent: Ask, member: Any) -> None:
    pause_ask(sent, "  waiting for legal  ", actor=member, now=NOW)
    row = Ask.objects.get(pk=sent.pk)
    assert (row.status, row.paused_at, row.paused_reason, row.paused_by) == (
        "sent",
        NOW,
        "waiting for legal",
        "",
    )
    assert (sent.paused_at, sent.is_paused) == (NOW, True)
    event = AskEvent.objects.filter(ask=sent).last()
    assert (event.from_status, event.to_status, event.actor, event.note, event.at) == (
        "sent",
        "sent",
        member,
        "paused: waiting for legal",
        NOW,
    )
    assert list(Ask.objects.paused()) == [row]
    assert list(Ask.objects.active()) == []


def test_a_paused_ask_cannot_move_on(sent: Ask, member: Any) -> None:
    pause_ask(sent, "waiting for legal", actor=member, now=NOW)
    with pytest.raises(AskPaused) as caught:
        advance_ask(sent, "accepted", actor=member, now=LATER)
    assert str(caught.value) == (
        f"ask {sent.pk} is paused (waiting for legal): it keeps its status sent and may only "
        "be cancelled until it is resumed; cannot move it to accepted"
    )
    assert isinstance(caught.value, InvalidTransition)
    assert caught.value.allowed == ["cancelled"]
    assert Ask.objects.get(pk=sent.pk).status == "sent"


def test_a_stale_copy_cannot_move_an_ask_paused_meanwhile(sent: Ask, member: Any) -> None:
    stale = Ask.objects.get(pk=sent.pk)
    pause_ask(sent, "left", actor=member, now=NOW)
    with pytest.raises(AskPaused):
        advance_ask(stale, "accepted", actor=member, now=LATER)
    assert Ask.objects.get(pk=sent.pk).status == "sent"


def test_cancelling_a_paused_ask_clears_the_pause(sent: Ask, member: Any) -> None:
    pause_ask(sent, "left", actor=member, now=NOW)
    advance_ask(sent, "cancelled", actor=member, now=LATER, note="no longer there")
    row = Ask.objects.get(pk=sent.pk)
    assert (row.status, row.paused_at, row.paused_reason) == ("cancelled", None, "")


def test_bulk_moves_refuse_paused_asks_except_to_cancel(sent: Ask, member: Any) -> None:
    other = ask(person(sent.contact.account, "bob"), "case_study")
    pause_ask(sent, "left", actor=member, now=NOW)
    moved = advance_asks([sent.pk, other.pk], "accepted", actor=member, now=LATER)
    assert (moved.moved, moved.refused) == ([other.pk], {sent.pk: "sent"})
    cancelled = advance_asks([sent.pk, other.pk], "cancelled", actor=member, now=LATER)
    assert cancelled.moved == [sent.pk, other.pk]
    assert Ask.objects.get(pk=sent.pk).paused_at is None


def test_resume_lets_it_move_again(sent: Ask, member: Any) -> None:
    pause_ask(sent, "waiting", actor=member, now=NOW)
    resume_ask(sent, actor=member, now=LATER, note="legal said yes")
    assert (sent.paused_at, sent.paused_reason) == (None, "")
    assert AskEvent.objects.filter(ask=sent).last().note == "resumed: legal said yes"
    advance_ask(sent, "accepted", actor=member, now=LATER)
    assert Ask.objects.get(pk=sent.pk).status == "accepted"


def test_refusals_say_why(sent: Ask, member: Any) -> None:
    with pytest.raises(PauseRefused, match=re.escape("give a reason")):
        pause_ask(sent, "  ", actor=member, now=NOW)
    with pytest.raises(PauseRefused, match=re.escape(f"ask {sent.pk} is not paused (it is sent)")):
        resume_ask(sent, actor=member, now=NOW)
    pause_ask(sent, "one", actor=member, now=NOW)
    with pytest.raises(PauseRefused, match=re.escape(f"ask {sent.pk} is already paused (one)")):
        pause_ask(sent, "two", actor=member, now=NOW)
    advance_ask(sent, "cancelled", actor=member, now=LATER)
    with pytest.raises(
        PauseRefused, match=re.escape(f"ask {sent.pk} is cancelled: only open asks pause")
    ):
        pause_ask(sent, "three", actor=member, now=LATER)
    assert AskEvent.objects.filter(ask=sent).count() == 3
