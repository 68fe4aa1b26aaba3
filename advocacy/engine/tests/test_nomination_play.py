"""A nomination recorded by hand starts the play that starts from one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from advocacy.engine.evaluation import evaluate_play
from advocacy.engine.models import Decision, Play
from advocacy.engine.plays import load_playbook
from advocacy.signals.nominations import nominate
from advocacy.signals.tests.promoters import NOW, customer

pytestmark = pytest.mark.django_db


def test_the_nomination_play_considers_the_nominated_contact(member: Any) -> None:
    load_playbook(now=NOW - dt.timedelta(days=1))
    play = Play.objects.get(name="nomination-reference")
    ann = customer("ann@acme.example")
    customer("bob@other.example")  # not nominated: not considered
    nomination = nominate(ann, reason="a great renewal call", actor=member, now=NOW)

    run = evaluate_play(play, now=NOW + dt.timedelta(hours=1))

    assert run.considered == 1
    decision = Decision.objects.get(play=play)
    assert (decision.contact_id, decision.trigger_signal_id) == (ann.pk, nomination.signal.pk)
