"""`advocacy value …`: preview, send (once), wrapped, reciprocity, weekly; `--as` checked."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from advocacy.value.models import InsightsPreference, ValueMoment

AT = "2026-12-02T12:00:00Z"


def run(*args: str) -> str:
    out = StringIO()
    call_command("value", *args, "--as-of", AT, stdout=out)
    return out.getvalue()


def test_preview_and_send_once(world: dict[str, Any], member: Any) -> None:
    shown = run("preview", "monthly", "ada@acme.example")
    assert shown.startswith("To: ada@acme.example\nSubject: Acme's Beacon insights for November")
    sent = json.loads(run("send", "monthly", "--json", "--as", "member"))
    assert (sent["written"], sent["already"]) == (1, 0)
    assert run("send", "monthly") == (
        "Monthly admin insights for November 2026: 0 written to the outbox, 1 had it already.\n"
    )
    assert ValueMoment.objects.get().created_by == member


def test_a_seller_may_not_send(world: dict[str, Any], seller: Any) -> None:
    with pytest.raises(CommandError, match="may not send value moments"):
        run("send", "monthly", "--as", "seller")
    assert ValueMoment.objects.count() == 0


def test_a_period_not_over_is_refused(world: dict[str, Any]) -> None:
    with pytest.raises(CommandError, match="2026-12 is not over yet"):
        run("send", "monthly", "--period", "2026-12")


def test_wrapped_writes_the_pdf(world: dict[str, Any], tmp_path: Path) -> None:
    pdf, page = tmp_path / "year.pdf", tmp_path / "year.html"
    out = json.loads(
        run(
            "wrapped",
            "--account",
            str(world["acme"].pk),
            "--year",
            "2025",
            "--pdf",
            str(pdf),
            "--out",
            str(page),
            "--json",
        )
    )
    assert out["who"] == "Acme" and out["year"] == "2025"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert page.read_text().count("<svg") == 2


def test_reciprocity_and_weekly(world: dict[str, Any], member: Any, marketer: Any) -> None:
    assert run("reciprocity", "bo@acme.example") == (
        "bo@acme.example: gave 0, asked 0 in 12 months (balance +0)\n"
    )
    assert run("weekly", "bo@acme.example", "on", "--as", "member") == (
        "bo@acme.example: weekly insights on\n"
    )
    assert InsightsPreference.objects.get(contact=world["bo"]).weekly is True
    with pytest.raises(CommandError, match="may not set an advocate's weekly insights opt-in"):
        run("weekly", "bo@acme.example", "off", "--as", "marketer")
