"""`advocacy report` and `advocacy scorecard`: the same numbers as the catalogue, clear errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from advocacy.metrics.models import ScorecardEntry
from advocacy.metrics.tests.world import NOW, World, set_example_targets


def run(*args: str) -> str:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command(*args, stdout=out)
    return out.getvalue()


def test_json_gives_the_catalogues_numbers(world: World):
    data = json.loads(run("report", "--period", "2026-Q2", "--format", "json"))
    values = {m["code"]: m["value"] for m in data["metrics"]}
    assert (values["reviews"], values["ask_acceptance"], values["advocate_coverage"]) == (3, 50, 50)
    pipeline = next(m for m in data["metrics"] if m["code"] == "influenced_pipeline")
    assert (pipeline["value"], pipeline["unit"], pipeline["available"]) == (0.0, "amount", True)
    assert data["period"] == {
        "label": "2026-Q2", "start": "2026-04-01T00:00:00+00:00", "end": "2026-07-01T00:00:00+00:00"
    }  # fmt: skip
    assert [x["play"] for x in data["lift"]] == ["nps-promoter-review"]
    assert [r["key"] for r in data["funnels"]["moment"]] == ["expansion", "manual", "nps"]


def test_a_segment_narrows_the_report(world: World):
    data = json.loads(
        run("report", "--period", "2026-Q2", "--segment", "persona=champion", "--format", "json")
    )
    assert data["segment"] == {"industry": "", "region": "", "size_band": "", "persona": "champion"}
    assert {m["code"]: m["value"] for m in data["metrics"]}["reviews"] == 1


def test_csv_of_the_metrics_and_of_any_table(world: World):
    rows = list(csv.reader(io.StringIO(run("report", "--period", "2026-Q2", "--format", "csv"))))
    assert rows[0] == [
        "code",
        "name",
        "value",
        "unit",
        "numerator",
        "denominator",
        "available",
        "needs",
    ]
    assert ["reviews", "Reviews", "3", "count", "", "", "True", ""] in rows
    ladder = run("report", "--period", "2026-Q2", "--format", "csv", "--table", "ladder")
    assert ladder.splitlines() == [
        "rung,contacts",
        "none,1",
        "satisfied,1",
        "engaged,0",
        "advocate,1",
        "champion,1",
        "ambassador,0",
    ]
    trend = run("report", "--period", "2026-Q2", "--format", "csv", "--table", "trend").splitlines()
    assert trend[0] == "month,review_published,referral_status,reference_completed"
    assert trend[-4:] == ["2026-03,1,0,0", "2026-04,1,1,0", "2026-05,1,0,0", "2026-06,1,0,1"]
    assert len(trend) == 13


def test_the_table_names_every_group(world: World):
    out = run("report", "--period", "2026-Q2")
    for text in (
        "2026-Q2",
        "Program",
        "Advocate coverage",
        "50.0%",
        "Advocate-influenced revenue",
        "Scorecard",
        "Lift over holdout",
    ):
        assert text in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "last week"], "unknown period 'last week': expected Nd"),
        (
            ["--segment", "region=mars"],
            "unknown region 'mars': expected one of na, latam, emea, apac",
        ),
        (["--segment", "colour=red"], "unknown segment part 'colour=red'"),
        (["--format", "csv", "--table", "nope"], "unknown table 'nope': expected one of"),
        (["--council"], "--council needs --output FILE ending in .html or .pdf"),
        (["--council", "--month", "2026-13", "--output", "x.pdf"], "no month 13"),
    ],
)
def test_bad_input_exits_with_a_message(args, message):
    with pytest.raises(CommandError) as info:
        run("report", *args)
    assert str(info.value).startswith(message)


def test_council_report_as_html_and_pdf(world: World, tmp_path):
    html = tmp_path / "council.html"
    assert run("report", "--council", "--month", "2026-05", "--output", str(html)) == (
        f"council report for 2026-05 written to {html}\n"
    )
    text = html.read_text()
    for part in (
        "Advocacy council report",
        "2026-05",
        "Conversion by moment",
        "Conversion by persona",
        "Accounts to prioritise",
        "Acme",
        "Advocate-influenced pipeline",
    ):
        assert part in text
    pdf = tmp_path / "council.pdf"
    run("report", "--council", "--output", str(pdf))  # last month: June 2026
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_scorecard_commands(world: World, owner):
    set_example_targets()
    assert run(
        "scorecard", "set", "nps", "--target", "40", "--baseline", "20", "--as", "owner"
    ).startswith("scorecard: nps: 20.0 -> 40.0")
    assert ScorecardEntry.objects.get(metric="nps").updated_by == owner
    listed = json.loads(run("scorecard", "list", "--json"))["scorecard"]
    assert [(r["metric"], r["status"]) for r in listed] == [
        ("reviews", "below_baseline"),
        ("referrals", "below_baseline"),
        ("nps", "below_baseline"),
        ("case_study_conversion", "met"),
        ("influenced_expansion", "no_target"),
    ]
    assert "Below baseline" in run("scorecard", "list")
    run("scorecard", "remove", "nps")
    with pytest.raises(CommandError, match="'nps' is not on the scorecard"):
        run("scorecard", "remove", "nps")
    with pytest.raises(CommandError, match="unknown metric 'bogus'"):
        run("scorecard", "set", "bogus", "--target", "1")


def test_a_fresh_program_says_no_target_in_the_table_and_null_in_json(world: World):
    table = run("scorecard", "list")
    line = next(x for x in table.splitlines() if "reviews" in x)
    assert "no baseline" in line and "no target" in line and "No target set" in line
    assert "%" not in line  # no progress is made up
    listed = json.loads(run("scorecard", "list", "--json"))["scorecard"]
    assert [(r["metric"], r["baseline"], r["target"], r["progress"], r["status"])
            for r in listed] == [
        ("reviews", None, None, None, "no_target"),
        ("referrals", None, None, None, "no_target"),
        ("case_study_conversion", None, None, None, "no_target"),
        ("influenced_expansion", None, None, None, "no_target"),
    ]  # fmt: skip
    report = json.loads(run("report", "--format", "json"))["scorecard"]
    assert {(r["target"], r["progress"], r["status"]) for r in report} == {
        (None, None, "no_target")
    }
    rows = list(csv.reader(io.StringIO(run("report", "--format", "csv", "--table", "scorecard"))))
    assert rows[1] == ["reviews", "", "", "quarter", "monthly", "2", "", "no_target"]


def test_scorecard_set_without_a_target(world: World):
    assert run("scorecard", "set", "nps", "--baseline", "20").startswith(
        "scorecard: nps: 20.0 -> no target per quarter"
    )
    assert ScorecardEntry.objects.get(metric="nps").target is None
