"""`advocacy referrals …`: list, show, move, create and link, with --json, --as-of and --as."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from advocacy.referrals.models import Referral
from advocacy.referrals.tests.world import advocate, refer

pytestmark = pytest.mark.django_db
AT = "2026-06-02T12:00:00Z"


def run(*args: str, at: str = AT) -> Any:
    out = StringIO()
    call_command("referrals", *args, "--json", "--as-of", at, stdout=out)
    return json.loads(out.getvalue())


def test_create_move_list_and_show(member: Any, seller: Any) -> None:
    ada = advocate()
    made = run(
        "create", ada.email, "--name", "Grace", "--email", "grace@navy.example",
        "--company", "Navy", "--as", member.username,
    )  # fmt: skip
    assert (made["advocate"], made["prospect_domain"], made["status"]) == (
        ada.email,
        "navy.example",
        "submitted",
    )
    pk = str(made["id"])
    run("move", pk, "meeting_booked", "--as", seller.username, at="2026-06-03T12:00:00Z")
    moved = run("move", pk, "qualified", "--deal", "$120,000", at="2026-06-04T12:00:00Z")
    assert (moved["status"], moved["deal"]) == ("qualified", 120000.0)
    assert [r["status"] for r in run("list")] == ["submitted"]  # as of 2 June
    assert [r["id"] for r in run("list", "--status", "qualified", at="2026-06-05")] == [made["id"]]
    assert run("list", "--status", "qualified") == []
    shown = run("show", pk, at="2026-06-05")
    assert [(e["to"], e["by"]) for e in shown["events"]] == [
        ("submitted", "member"),
        ("meeting_booked", "seller"),
        ("qualified", "the command line"),
    ]


def test_the_text_of_show() -> None:
    made = refer(advocate(), 1)
    out = StringIO()
    call_command("referrals", "show", str(made.pk), "--as-of", AT, stdout=out)
    assert out.getvalue().splitlines() == [
        f"Referral {made.pk}: Grace Hopper 1 <grace1@prospect1.example>, Prospect 1",
        f"  by {made.advocate.email}, Submitted, deal —",
        "  2026-06-01 12:00  — → Submitted  by —",
    ]


def test_link_gives_the_advocate_a_code_and_link(settings: Any) -> None:
    ada = advocate()
    found = run("link", ada.email)
    assert found["link"] == f"{settings.SITE_URL}/r/{found['code']}/"
    assert run("link", ada.email) == found


def test_bad_input_is_refused_with_its_reason_and_the_ledger_unchanged() -> None:
    made = refer(advocate(), 1)
    with pytest.raises(CommandError) as error:
        run("move", str(made.pk), "closed_won")
    assert str(error.value) == (
        f"referral {made.pk} is submitted: it cannot move to closed won "
        "(it may go to meeting booked, closed lost)"
    )
    other = advocate()
    with pytest.raises(CommandError) as dup:
        run("create", other.email, "--name", "G", "--email", made.prospect_email, "--company", "P")
    assert "has already been referred" in str(dup.value)
    with pytest.raises(CommandError) as customer:
        run("create", other.email, "--name", "A", "--email", made.advocate.email, "--company", "A")
    assert str(customer.value) == (
        f"{made.advocate.email} is already one of our customers' contacts: not a referral"
    )
    with pytest.raises(CommandError, match="no referral with id 999"):
        run("show", "999")
    assert Referral.objects.count() == 1


def test_roles_are_checked(seller: Any, owner: Any, django_user_model: Any) -> None:
    made = refer(advocate(), 1)
    marketer = django_user_model.objects.create_user("mk", "mk@example.com", "x", role="marketing")
    viewer = django_user_model.objects.create_user("vw", "vw@example.com", "x", role="viewer")
    with pytest.raises(CommandError) as refused:
        run("move", str(made.pk), "meeting_booked", "--as", marketer.username)
    assert str(refused.value) == (
        "mk (Marketing) may not move a referral (meeting, qualified, won, lost): "
        "that is for Admin or Customer success or Sales"
    )
    with pytest.raises(CommandError, match="may not record a referral for an advocate"):
        run("create", made.advocate.email, "--name", "x", "--email", "x@y.example",
            "--company", "Y", "--as", viewer.username)  # fmt: skip
    assert run("move", str(made.pk), "meeting_booked", "--as", owner.username)["status"] == (
        "meeting_booked"
    )
