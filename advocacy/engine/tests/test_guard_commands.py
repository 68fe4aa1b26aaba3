"""advocacy asks guard|pause|resume|replacements|reassign and advocacy agreements."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from advocacy.customers.models import Contact
from advocacy.engine.plays import load_playbook
from advocacy.engine.tests.guard_world import NOW, account, ask, person, promoter, signal
from advocacy.pipeline.agreements import Agreement
from advocacy.pipeline.models import Ask, AskEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    load_playbook(now=NOW)
    with time_machine.travel(NOW, tick=False):
        yield


def run(command: str, *args: str) -> Any:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_guard_pauses_as_of_a_moment_and_lists_paused_asks(member: Any) -> None:
    acme = account(owner=member)
    ada = person(acme, "ada")
    study = ask(ada)
    Contact.objects.filter(pk=ada.pk).update(left_company_at=NOW + dt.timedelta(days=1))
    before = json.loads(run("asks", "guard", "--json"))
    assert before["paused"]["left_company"] == []
    with time_machine.travel(NOW + dt.timedelta(days=4), tick=False):
        # --as-of may not run ahead of the clock: these days are behind it now.
        after = json.loads(run("asks", "guard", "--as-of", "2026-06-03", "--json"))
        assert after["paused"]["left_company"] == [study.pk]
        assert run("asks", "guard", "--as-of", "2026-06-04").splitlines()[1] == (
            "paused (left_company): 0; resumed: 0"
        )
    listed = json.loads(run("asks", "list", "--paused", "--json"))
    assert [(a["id"], a["paused_reason"]) for a in listed["asks"]] == [
        (study.pk, "the advocate left the company")
    ]
    with pytest.raises(CommandError, match="--as-of: expected a date"):
        run("asks", "guard", "--as-of", "soon")


def test_pause_and_resume_by_hand(member: Any) -> None:
    study = ask(person(account(owner=member), "ada"))
    out = run("asks", "pause", str(study.pk), "--reason", "legal review", "--as", "member")
    assert out == f"ask {study.pk} is paused (legal review); it stays sent\n"
    with pytest.raises(CommandError, match=f"ask {study.pk} is paused \\(legal review\\)"):
        run("asks", "move", str(study.pk), "accepted")
    with pytest.raises(CommandError, match="already paused"):
        run("asks", "pause", str(study.pk), "--reason", "again")
    assert json.loads(run("asks", "resume", str(study.pk), "--json")) == {
        "id": study.pk,
        "status": "sent",
        "paused_reason": "",
    }
    assert AskEvent.objects.filter(ask=study).last().actor is None
    with pytest.raises(CommandError, match="no ask with id 999999"):
        run("asks", "pause", "999999", "--reason", "x")


def test_replacements_and_reassign(member: Any) -> None:
    acme = account(owner=member)
    ada, bob = person(acme, "ada"), person(acme, "bob", "end_user")
    promoter(bob)
    signal(acme, "health_score", value=90, at=NOW - dt.timedelta(days=3))
    study = ask(ada)
    found = json.loads(run("asks", "replacements", str(study.pk), "--json"))
    assert [(c["email"], c["ready"]) for c in found["candidates"]] == [("bob@acme.example", False)]
    assert "bob@acme.example" in run("asks", "replacements", str(study.pk))
    done = json.loads(
        run("asks", "reassign", str(study.pk), "bob@acme.example", "--as", "member", "--json")
    )
    new = Ask.objects.get(contact=bob)
    assert done == {
        "cancelled": study.pk,
        "opened": new.pk,
        "contact_id": bob.pk,
        "status": "proposed",
    }
    with pytest.raises(CommandError, match=re.escape("no contact with email 'nobody@x.example'")):
        run("asks", "reassign", str(new.pk), "nobody@x.example")
    with pytest.raises(CommandError, match=re.escape("is already bob@acme.example's")):
        run("asks", "reassign", str(new.pk), "bob@acme.example")


def test_agreements_create_sign_list_end_and_opt_out(member: Any) -> None:
    ada = person(account(owner=member), "ada")
    study = ask(ada)
    out = run(
        "agreements",
        "create",
        "ada@acme.example",
        "--scope",
        "case_study, reference_call",
        "--benefits",
        "Early access",
        "--starts",
        "2026-06-01",
        "--ends",
        "2027-05-31",
    )
    a = Agreement.objects.get()
    assert out == (
        f"agreement {a.pk} recorded: draft, 2026-06-01 to 2027-05-31, "
        "scope case_study, reference_call\n"
    )
    signed = json.loads(run("agreements", "update", str(a.pk), "--signed", "2026-06-01", "--json"))
    assert (signed["status"], signed["signed_on"]) == ("active", "2026-06-01")
    listed = json.loads(run("agreements", "list", "--email", "ada@acme.example", "--json"))
    assert [r["id"] for r in listed["agreements"]] == [a.pk]
    with pytest.raises(CommandError, match="already has a current agreement"):
        run("agreements", "create", "ada@acme.example", "--scope", "review")
    with pytest.raises(CommandError, match="unknown ask type\\(s\\) in scope: nope"):
        run("agreements", "update", str(a.pk), "--scope", "nope")
    with pytest.raises(CommandError, match="--ends: expected a date"):
        run("agreements", "update", str(a.pk), "--ends", "someday")
    result = json.loads(
        run("agreements", "opt-out", "ada@acme.example", "--reason", "too busy", "--json")
    )
    assert (result["cancelled_asks"], result["agreements_ended"]) == ([study.pk], [a.pk])
    assert Ask.objects.get(pk=study.pk).status == "cancelled"
    again = run("agreements", "opt-out", "ada@acme.example")
    assert again == (
        "ada@acme.example already opted out on 2026-06-01 12:00; "
        "0 open ask(s) cancelled, 0 agreement(s) ended\n"
    )
    with pytest.raises(CommandError, match=f"agreement {a.pk} is opted_out already"):
        run("agreements", "end", str(a.pk))


def test_end_an_agreement(member: Any) -> None:
    person(account(owner=member), "ada")
    run("agreements", "create", "ada@acme.example", "--scope", "review", "--signed", "2026-05-01")
    a = Agreement.objects.get()
    assert (
        json.loads(run("agreements", "end", str(a.pk), "--reason", "term over", "--json"))["status"]
        == "ended"
    )
