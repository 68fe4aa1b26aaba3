"""`advocacy recognition`: the badge issued, shown and revoked `--as` someone who may; the
featured customers and the champions group as of a moment, as text, JSON and CSV."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from advocacy.recognition.models import Badge
from advocacy.recognition.tests.world import NOW, champion, consented

pytestmark = pytest.mark.django_db
AT = ["--as-of", NOW.isoformat()]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("recognition", *args, stdout=out)
    return out.getvalue()


def test_issue_show_and_revoke_a_badge(member: Any) -> None:
    champion("ada@acme.example")
    issued = json.loads(run("badge-issue", "ada@acme.example", "--as", "member", "--json", *AT))
    badge = Badge.objects.get()
    assert issued["tier"] == "Champion" and issued["year"] == 2026
    assert issued["page"] == f"http://127.0.0.1:8000/badge/{badge.token}/"
    assert issued["image"] == f"http://127.0.0.1:8000/badge/{badge.token}.svg"
    assert issued["shows_name"] == ""
    shown = run("badge", "ada@acme.example", *AT)
    assert shown.startswith("Champion 2026 badge of ada@acme.example, showing no name")
    revoked = run("badge-revoke", "ada@acme.example", "--as", "member", *AT)
    assert (
        revoked.strip()
        == f"Badge {badge.pk} of ada@acme.example revoked: its address no longer answers."
    )
    with pytest.raises(CommandError, match="has no badge for 2026"):
        run("badge", "ada@acme.example", *AT)


def test_a_seller_may_not_issue_and_a_non_champion_is_refused(seller: Any, member: Any) -> None:
    champion("ada@acme.example")
    with pytest.raises(CommandError, match=r"seller \(Sales\) may not issue or revoke"):
        run("badge-issue", "ada@acme.example", "--as", "seller", *AT)
    with pytest.raises(CommandError, match="is not in the champions group"):
        run("badge-issue", "ada@acme.example", "--as", "member", "--as-of", "2026-03-01")
    assert Badge.objects.count() == 0


def test_featured_and_champions_as_json_and_csv() -> None:
    ada = champion("ada@acme.example", activities=3)
    consented(ada, ["name", "title"])
    assert json.loads(run("featured", "--json", *AT)) == [
        {"account": "Acme Robotics", "name": "Ada Lovelace", "title": "VP Operations",
         "logo": False, "quote": ""}
    ]  # fmt: skip
    assert json.loads(run("champions", "--json", *AT)) == [
        {"email": "ada@acme.example", "name": "Ada Lovelace", "account": "Acme Robotics",
         "tier": "Advocate"}
    ]  # fmt: skip
    assert run("champions", "--csv", *AT).splitlines() == [
        "email,name,account,tier",
        "ada@acme.example,Ada Lovelace,Acme Robotics,Advocate",
    ]
    assert run("champions", "--as-of", "2026-03-01").strip() == "Nobody is in the champions group."
