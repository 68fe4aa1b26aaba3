"""advocacy content list|show|create|move|consent|use|render|expiring."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from advocacy.content.models import Asset, AssetUse, Consent
from advocacy.content.tests.conftest import NOW, advocate, asset_in, case_study

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("content", *args, stdout=out)
    return out.getvalue()


def test_create_then_walk_it_to_published(member: Any) -> None:
    advocate()
    made = json.loads(
        run(
            "create",
            "--kind",
            "case_study",
            "--title",
            "Acme in days",
            "--contact",
            "ADA@acme.example",
            "--result",
            "40% faster",
            "--result",
            "Half the tickets",
            "--as",
            "member",
            "--json",
        )
    )
    pk = made["id"]
    assert (made["status"], made["email"]) == ("draft", "ada@acme.example")
    assert Asset.objects.get(pk=pk).results == ["40% faster", "Half the tickets"]
    assert run("move", str(pk), "advocate_review") == f"asset {pk} is now advocate_review\n"
    run("move", str(pk), "approved", "--note", "approved by email")
    out = run("consent", str(pk), "--scopes", "name,quote,press", "--until", "2099-12-31")
    assert out == f"asset {pk}: consent to name, quote, press until 2099-12-31\n"
    run("move", str(pk), "published")
    detail = json.loads(run("show", str(pk), "--json"))
    assert [(e["from"], e["to"]) for e in detail["events"]] == [
        ("", "draft"),
        ("draft", "advocate_review"),
        ("advocate_review", "approved"),
        ("approved", "published"),
    ]
    assert detail["consent_expires_at"] == "2100-01-01T00:00:00+00:00"
    assert detail["events"][0]["actor"] == "member"


def test_a_move_outside_the_table_fails_with_the_reason() -> None:
    asset = asset_in("draft")
    with pytest.raises(
        CommandError, match=f"asset {asset.pk}: cannot move from draft to published"
    ):
        run("move", str(asset.pk), "published")
    with pytest.raises(CommandError, match="no asset with id 999"):
        run("move", "999", "published")


def test_a_refused_use_exits_non_zero_and_is_recorded() -> None:
    asset = asset_in("published", scopes=["quote"])
    used = json.loads(run("use", str(asset.pk), "website", "--where", "/home", "--json"))
    assert (used["outcome"], used["needs"]) == ("recorded", ["quote"])
    with pytest.raises(CommandError, match="the consent does not cover name, title"):
        run("use", str(asset.pk), "social", "--shows", "name,title")
    assert list(AssetUse.objects.order_by("id").values_list("channel", "outcome")) == [
        ("website", "recorded"),
        ("social", "refused"),
    ]


def test_consent_renewal_and_bad_input() -> None:
    asset = asset_in("published", scopes=["quote", "logo"])
    run("consent", str(asset.pk), "--renew", "--until", "2099-01-01")
    assert Consent.objects.filter(asset=asset).last().scopes == ["logo", "quote"]  # type: ignore[union-attr]
    with pytest.raises(CommandError, match="expected a day as YYYY-MM-DD"):
        run("consent", str(asset.pk), "--scopes", "name", "--until", "soon")
    with pytest.raises(CommandError, match=r"unknown consent scope\(s\): fax"):
        run("consent", str(asset.pk), "--scopes", "fax", "--until", "2099-01-01")
    with pytest.raises(CommandError, match=r"--contact: no contact 'nobody@x\.example'"):
        run("create", "--kind", "quote", "--title", "t", "--contact", "nobody@x.example")


def test_list_filters_by_scope_and_prints_a_table() -> None:
    press = asset_in("published", scopes=["press"])
    asset_in("published", scopes=["quote"])
    listed = json.loads(run("list", "--scope", "press", "--json"))
    assert (listed["total"], [a["id"] for a in listed["assets"]]) == (1, [press.pk])
    table = run("list")
    assert "2 asset(s)" in table
    assert "press" in table


def test_render_html_and_pdf(tmp_path: Path) -> None:
    asset = case_study()
    assert "A manufacturing company: Cut onboarding time by 40%" in run("render", str(asset.pk))
    target = tmp_path / "cs.pdf"
    assert run("render", str(asset.pk), "--format", "pdf", "-o", str(target)) == f"wrote {target}\n"
    assert target.read_bytes().startswith(b"%PDF-")


def test_expiring_runs_the_job_and_lists_reminders() -> None:
    with time_machine.travel(NOW, tick=False):
        gone = asset_in("published", expires_at=NOW - dt.timedelta(days=1))
        soon = asset_in("approved", expires_at=NOW + dt.timedelta(days=9))
        result = json.loads(run("expiring", "--run", "--json"))
        assert result["run"] == {"expired": [gone.pk], "flagged": [soon.pk]}
        assert [r["asset_id"] for r in result["reminders"]] == [soon.pk]
        text = run("expiring")
    assert "1 asset(s) need re-permission" in text
    assert "2026-06-10" in text


def test_edit_a_draft() -> None:
    asset = case_study()
    run("edit", str(asset.pk), "--quote", "New words", "--result", "One", "--result", "Two")
    fresh = Asset.objects.get(pk=asset.pk)
    assert (fresh.quote, fresh.results) == ("New words", ["One", "Two"])
    with pytest.raises(CommandError, match="nothing to change"):
        run("edit", str(asset.pk))
    run("move", str(asset.pk), "advocate_review")
    with pytest.raises(CommandError, match="only a draft can be edited"):
        run("edit", str(asset.pk), "--body", "x")


def test_a_use_in_a_deal_keeps_the_crm_deal_id() -> None:
    asset = asset_in("published", scopes=["quote"])
    used = json.loads(run("use", str(asset.pk), "sales_deck", "--opportunity", "006AB", "--json"))
    assert used["opportunity_ref"] == "006AB"
    assert list(AssetUse.objects.values_list("opportunity_ref", flat=True)) == ["006AB"]
