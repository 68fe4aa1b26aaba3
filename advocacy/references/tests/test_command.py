"""`advocacy references`: the desk's whole flow from the command line."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from icalendar import Calendar

from advocacy.references.models import Offer, ReferenceCall, ReferenceRequest
from advocacy.references.tests.world import NOW, advocate, refresh

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("references", *args, stdout=out)
    return out.getvalue()


@time_machine.travel(NOW, tick=False)
def test_file_match_offer_accept_schedule_outcome_stats(member: Any, tmp_path: Path) -> None:
    advocate("ann@a.example")
    advocate("bob@b.example", region="apac")
    refresh()
    filed = json.loads(run(
        "file", "--opportunity", "Globex expansion", "--prospect", "Globex", "--industry", "SaaS",
        "--needed-by", "2026-06-20", "--region", "emea", "--size-band", "enterprise",
        "--product", "Core Platform", "--prospect-contact", "cto@globex.example",
        "--as", "member", "--json",
    ))  # fmt: skip
    rid = str(filed["id"])
    assert (filed["status"], filed["products"]) == ("open", ["Core Platform"])

    matched = json.loads(run("match", rid, "--json"))
    assert [c["email"] for c in matched["candidates"]] == ["ann@a.example", "bob@b.example"]
    assert matched["candidates"][0]["reasons"][0] == "same industry (SaaS) +3"
    assert "ann@a.example" in run("match", rid)

    offered = json.loads(run("offer", rid, "ann@a.example", "--as", "member", "--json"))
    assert offered["status"] == "offered"
    oid = str(offered["offer"])
    answered = json.loads(run("respond", oid, "accept", "--as", "member", "--json"))
    assert (answered["status"], answered["request_status"]) == ("accepted", "offered")
    ics = tmp_path / "call.ics"
    scheduled = json.loads(run(
        "schedule", oid, "--at", "2026-06-03T15:00", "--output", str(ics), "--as", "member",
        "--json",
    ))  # fmt: skip
    call = ReferenceCall.objects.get(pk=scheduled["call"])
    (event,) = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert str(event["uid"]) == call.uid == scheduled["uid"]
    assert ReferenceRequest.objects.get(pk=rid).status == "scheduled"
    assert "BEGIN:VCALENDAR" in run("invite", str(call.pk), "--output", "-")

    done = json.loads(
        run("outcome", str(call.pk), "held", "--rating", "5", "--as", "member", "--json")
    )
    assert done == {"call": call.pk, "outcome": "held"}
    assert json.loads(run("result", rid, "won", "--as", "member", "--json"))["result"] == "won"
    listed = json.loads(run("list", "--status", "completed", "--json"))
    assert [r["id"] for r in listed["requests"]] == [int(rid)]
    stats = json.loads(run("stats", "--json"))
    assert (stats["overall"]["filed"], stats["overall"]["filled"]) == (1, 1)
    assert stats["alerts"] == []


@time_machine.travel(NOW, tick=False)
def test_errors_exit_non_zero_with_a_message(member: Any) -> None:
    with pytest.raises(CommandError, match="no reference request with id 99"):
        run("match", "99")
    with pytest.raises(CommandError, match="needed_by: 2026-05-01 is in the past"):
        run("file", "--opportunity", "o", "--prospect", "p", "--industry", "SaaS",
            "--needed-by", "2026-05-01", "--as", "member")  # fmt: skip
    with pytest.raises(CommandError, match="expected a date"):
        run("file", "--opportunity", "o", "--prospect", "p", "--industry", "SaaS",
            "--needed-by", "soon", "--as", "member")  # fmt: skip
    advocate("sad@s.example", churn_risk=True)
    run("file", "--opportunity", "o", "--prospect", "p", "--industry", "SaaS",
        "--needed-by", "2026-06-20", "--as", "member")  # fmt: skip
    rid = str(ReferenceRequest.objects.get().pk)
    with pytest.raises(CommandError, match="churn risk"):
        run("offer", rid, "sad@s.example", "--as", "member")
    assert Offer.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_stats_print_the_alert(member: Any) -> None:
    for company in ("A", "B"):
        run("file", "--opportunity", company, "--prospect", company, "--industry", "Banking",
            "--needed-by", "2026-06-20", "--as", "member")  # fmt: skip
    for r in ReferenceRequest.objects.all():
        run("close", str(r.pk), "unfilled")
    text = run("stats")
    assert "ALERT All requests: fill rate 0% is under 70%" in text
    assert "ALERT Banking: fill rate 0% is under 70%" in text
