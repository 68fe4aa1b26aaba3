"""An advocate who leaves mid-process: asks paused, a colleague suggested, the ask reassigned."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from advocacy.customers.models import Account, Contact
from advocacy.engine.asks import CapExceeded
from advocacy.engine.evaluation import run_plays
from advocacy.engine.guards import (
    LEFT,
    ReassignRefused,
    reassign_ask,
    run_guards,
    suggest_replacements,
)
from advocacy.engine.models import Play, TapClaim
from advocacy.engine.pipeline_flow import move_ask
from advocacy.engine.plays import load_playbook
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.engine.services import Excluded
from advocacy.engine.tests.guard_world import NOW, account, ask, person, promoter, signal
from advocacy.pipeline.models import Ask, AskEvent
from advocacy.pipeline.services import AskPaused, InvalidTransition

pytestmark = pytest.mark.django_db
P = DEFAULT_POLICY
PLAY = "expansion-case-study"


@pytest.fixture
def acme(member: Any) -> Account:
    """Ada the champion, and colleagues: Bob ready for a case study, Eve nominated, Dan
    satisfied, Cy opted out."""
    load_playbook(now=NOW)
    play = Play.objects.get(name=PLAY)
    play.definition = {**play.definition, "holdout": 0}
    play.save(update_fields=["definition"])
    acme = account(owner=member)
    ada = person(acme, "ada", "champion")
    for name in ("bob", "dan", "eve", "cy"):
        person(acme, name, "end_user")
    promoter(ada)
    promoter(Contact.objects.get(first_name="Bob"), 9)
    promoter(Contact.objects.get(first_name="Cy"))
    for name in ("Ada", "Bob", "Cy"):  # the promoters use the product
        signal(acme, "activity", contact=Contact.objects.get(first_name=name))
    signal(acme, "csm_nomination", contact=Contact.objects.get(first_name="Eve"))
    signal(acme, "health_score", value=85, at=NOW - dt.timedelta(days=10))
    signal(acme, "result_shared", at=NOW - dt.timedelta(days=30))
    Contact.objects.filter(first_name="Cy").update(opted_out_at=NOW - dt.timedelta(days=5))
    return acme


def c(name: str) -> Contact:
    return Contact.objects.get(first_name=name.capitalize())


def test_a_case_study_walks_through_an_advocate_leaving_mid_process(
    acme: Account, member: Any
) -> None:
    # Opened by the expansion play, for Ada, the only champion.
    signal(acme, "expansion", at=NOW - dt.timedelta(hours=1))
    run_plays(now=NOW, names=[PLAY], policy=P)
    study = Ask.objects.get(play=PLAY)
    assert (study.contact, study.ask_type.code, study.owner) == (c("ada"), "case_study", member)
    # Sent and accepted.
    assert study.status == "proposed"
    for to in ("sent", "accepted"):
        move_ask(study, to, actor=member, now=NOW + dt.timedelta(hours=2), policy=P)
    assert Ask.objects.get(pk=study.pk).status == "accepted"
    # Ada leaves mid-process: the guard pauses the ask, which keeps its status.
    Contact.objects.filter(pk=c("ada").pk).update(left_company_at=NOW + dt.timedelta(days=1))
    later = NOW + dt.timedelta(days=2)
    assert run_guards(now=later, policy=P).paused[LEFT] == [study.pk]
    study.refresh_from_db()
    assert (study.status, study.paused_by) == ("accepted", LEFT)
    with pytest.raises(AskPaused):
        move_ask(study, "scheduled", actor=member, now=later, policy=P)
    # A replacement from the same account is suggested: ready first, then by rung.
    suggested = suggest_replacements(study, now=later, policy=P)
    assert [(s.email, s.rung, s.ready) for s in suggested] == [
        ("bob@acme.example", "engaged", True),
        ("eve@acme.example", "advocate", False),
        ("dan@acme.example", "satisfied", False),
    ]
    assert suggested[0].reasons == "engaged rung, mature stage, meets the prerequisites"
    # Reassigned to Bob: the old ask is cancelled, a new one opened for review, caps claimed.
    done = reassign_ask(study, c("bob"), actor=member, now=later, policy=P, note="Ada moved on")
    old, new = Ask.objects.get(pk=study.pk), Ask.objects.get(pk=done.new.pk)
    assert (old.status, old.paused_at) == ("cancelled", None)
    assert (new.contact, new.ask_type.code, new.play, new.status, new.moment) == (
        c("bob"),
        "case_study",
        PLAY,
        "proposed",
        f"replaces:{study.pk}",
    )
    assert (new.owner, new.owner_role, new.due_at) == (member, "cs", later + dt.timedelta(days=14))
    assert (
        AskEvent.objects.filter(ask=old).last().note
        == "reassigned to bob@acme.example: Ada moved on"
    )
    assert (
        AskEvent.objects.get(ask=new).note
        == f"replaces ask {study.pk} of ada@acme.example: Ada moved on"
    )
    claim = TapClaim.objects.get(contact=c("bob"), effort="high")
    assert claim.next_allowed_at == later + dt.timedelta(days=90)
    with pytest.raises(InvalidTransition):
        reassign_ask(old, c("dan"), actor=member, now=later, policy=P)
    # Bob's ask lives on.
    for to in ("queued", "sent", "accepted", "completed"):
        move_ask(new, to, actor=member, now=later, policy=P)
    assert Ask.objects.get(pk=new.pk).status == "completed"


def test_capped_or_busy_colleagues_are_not_suggested_and_caps_hold_on_reassign(
    acme: Account, member: Any
) -> None:
    study = ask(c("ada"), "case_study")
    ask(c("bob"), "video_testimonial", capped=True)  # high effort: Bob's cap is in force
    ask(c("eve"), "case_study")  # Eve already has an open case study
    Contact.objects.filter(pk=c("ada").pk).update(left_company_at=NOW - dt.timedelta(hours=1))
    run_guards(now=NOW, policy=P)
    assert [s.email for s in suggest_replacements(study, now=NOW, policy=P)] == ["dan@acme.example"]
    with pytest.raises(
        CapExceeded, match=re.escape("bob@acme.example may not be asked another high-effort")
    ):
        reassign_ask(study, c("bob"), actor=member, now=NOW, policy=P)
    study.refresh_from_db()
    assert (study.status, study.paused_by) == ("sent", LEFT)
    assert Ask.objects.filter(moment=f"replaces:{study.pk}").count() == 0


def test_a_replacement_comes_from_the_same_account_and_passes_exclusions(
    acme: Account, member: Any
) -> None:
    study = ask(c("ada"), "case_study")
    stranger = person(account("Globex"), "gil")
    with pytest.raises(ReassignRefused, match=re.escape("gil@globex.example is not at Acme")):
        reassign_ask(study, stranger, actor=member, now=NOW, policy=P)
    with pytest.raises(
        Excluded,
        match=re.escape("cy@acme.example may not be asked for case_study: excluded: opted out"),
    ):
        reassign_ask(study, c("cy"), actor=member, now=NOW, policy=P)
    with pytest.raises(
        ReassignRefused, match=re.escape(f"ask {study.pk} is already ada@acme.example's")
    ):
        reassign_ask(study, c("ada"), actor=member, now=NOW, policy=P)
    assert Ask.objects.get(pk=study.pk).status == "sent"
