"""advocacy routing … and advocacy checklists …: the same services from the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from advocacy.pipeline.models import Ask, AskStatus, AskStep, RoutingRule
from advocacy.pipeline.tests.factories import make_ask, make_contact

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_add_list_edit_remove_and_apply_rules(member: Any) -> None:
    ask = make_ask("case_study", contact=make_contact(region="emea"))
    assert ask.owner_id is None
    added = json.loads(
        run("routing", "add", "--name", "EMEA", "--region", "emea", "--owner", "member", "--json")
    )
    assert added["owner"] == "member" and added["region"] == "emea" and added["role"] == ""
    listed = json.loads(run("routing", "list", "--json"))
    assert [r["name"] for r in listed["rules"]] == ["EMEA"]
    assert "region emea" in run("routing", "list")
    changed = json.loads(
        run("routing", "edit", str(added["id"]), "--ask-type", "case_study", "--json")
    )
    assert (changed["ask_type"], changed["region"]) == ("case_study", "emea")
    assert run("routing", "apply") == "1 open ask(s) routed anew\n"
    assert Ask.objects.get(pk=ask.pk).owner_id == member.pk
    assert run("routing", "remove", str(added["id"])) == f"rule {added['id']} removed\n"
    assert RoutingRule.objects.count() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("routing", "add", "--name", "x"),
            r"^a rule needs an owner \(a user\) or a role pool, or both$",
        ),
        (("routing", "add", "--name", "x", "--owner", "ghost"), "--owner: no user named 'ghost'"),
        (("routing", "add", "--name", "x", "--role", "cs", "--ask-type", "tea"), "no ask type"),
        (("routing", "edit", "999", "--role", "cs"), "no routing rule with id 999"),
        (("checklists", "show", "tea"), "no ask type 'tea'"),
        (("checklists", "tick", "999", "1"), "no ask with id 999"),
    ],
)
def test_bad_input_is_a_clear_error(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_show_edit_and_tick(tmp_path: Path, owner: Any, member: Any) -> None:
    assert run("checklists", "show", "review").startswith("# review, version 1\n- title: Review")
    listed = json.loads(run("checklists", "list", "--json"))
    assert {"ask_type": "review", "version": 1, "steps": 4} in listed["templates"]
    running = make_ask("review", status=AskStatus.COMPLETED)
    steps = tmp_path / "review.yaml"
    steps.write_text("- {title: Ask in the QBR, role: cs, status: sent}\n", encoding="utf-8")
    saved = json.loads(run("checklists", "edit", "review", str(steps), "--as", "owner", "--json"))
    assert saved == {"ask_type": "review", "version": 2, "steps": 1}
    assert (
        json.loads(run("checklists", "show", "review", "--version", "1", "--json"))["version"] == 1
    )
    ticked = json.loads(
        run(
            "checklists",
            "tick",
            str(running.pk),
            "4",
            "--note",
            "g2 link",
            "--as",
            "member",
            "--json",
        )
    )
    assert ticked == {
        "ask": running.pk,
        "position": 4,
        "moves": ["published"],
        "status": "published",
    }
    shown = json.loads(run("checklists", "steps", str(running.pk), "--json"))
    assert [s["done_by"] for s in shown["steps"]] == [None, None, None, "member"]
    assert AskStep.objects.filter(ask=running).count() == 4  # version 2 did not touch it
    with pytest.raises(CommandError, match="step 4 is already done"):
        run("checklists", "tick", str(running.pk), "4")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {title: a, role: boss}\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad\.yaml: step 1: role must be one of"):
        run("checklists", "edit", "review", str(bad))
