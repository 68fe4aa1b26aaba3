"""A review play that invites only promoters to a site whose guidelines forbid selective
solicitation is warned about (not refused) in `playbook check`, with the fix; the site's rule
is the setting ADVOCACY_REVIEW_SITES."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from advocacy.core.review_sites import parse_review_sites
from advocacy.engine.plays import DEFAULT_PLAYBOOK
from advocacy.engine.solicitation import invited_answers, solicitation_warning

pytestmark = pytest.mark.django_db

PROMOTER_PLAY = "nps-promoter-review.yaml"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "playbook"
    shutil.copytree(DEFAULT_PLAYBOOK, target)
    return target


def checked(folder: Path) -> dict[str, object]:
    out = io.StringIO()
    call_command("playbook", "check", str(folder), "--json", stdout=out)
    body: dict[str, object] = json.loads(out.getvalue())
    return body


def line_of(path: Path, start: str) -> int:
    return next(i for i, t in enumerate(path.read_text().splitlines(), 1) if t.startswith(start))


def test_promoters_only_to_g2_is_warned_at_the_trigger_with_the_fix(folder: Path) -> None:
    body = checked(folder)
    assert body["ok"] is True
    assert body["warnings"] == [
        {
            "file": PROMOTER_PLAY,
            "line": line_of(folder / PROMOTER_PLAY, "  value:"),
            "field": "trigger.value",
            "message": "G2's guidelines forbid inviting only happy customers, and this play"
            " invites only NPS promoters (9-10, through its trigger): invite every respondent"
            " (remove the NPS condition from its trigger), or name a site that allows it",
        }
    ]
    err = io.StringIO()
    call_command("playbook", "check", str(folder), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith(f"warning: {PROMOTER_PLAY}:")


def test_a_site_that_allows_it_gets_no_warning(folder: Path) -> None:
    path = folder / PROMOTER_PLAY
    path.write_text(path.read_text().replace("site: g2", "site: trustradius"))
    assert checked(folder)["warnings"] == []


def test_a_site_whose_rule_is_set_to_allow_gets_no_warning(folder: Path) -> None:
    with override_settings(REVIEW_SITES={"g2": "allows"}):
        assert checked(folder)["warnings"] == []


def test_a_play_inviting_every_respondent_gets_no_warning(folder: Path) -> None:
    path = folder / PROMOTER_PLAY
    path.write_text(path.read_text().replace("  value: {gte: 9}\n", ""))
    assert checked(folder)["warnings"] == []


def test_promoters_selected_by_the_audience_are_warned_at_the_audience(folder: Path) -> None:
    path = folder / "milestone-review.yaml"
    path.write_text(path.read_text().replace("value: 7}", "value: 9}"))
    warnings = checked(folder)["warnings"]
    assert isinstance(warnings, list)
    assert [(w["file"], w["field"]) for w in warnings] == [
        ("milestone-review.yaml", "audience"),
        (PROMOTER_PLAY, "trigger.value"),
    ]


@pytest.mark.parametrize(
    ("trigger", "audience", "answers"),
    [
        ({"signal": "nps", "value": {"gte": 9}}, {}, set(range(9, 11))),
        ({"signal": "nps", "value": {"in": [9, 10]}}, {}, {9, 10}),
        ({"signal": "nps"}, {}, set(range(11))),
        ({"signal": "nps", "value": {"gt": 6}}, {}, set(range(7, 11))),
        # A condition on another field may or may not hold: it rules no answer out.
        ({"signal": "nps"}, {"any": [{"field": "nps", "op": "gte", "value": 9},
                                     {"field": "health", "op": "gte", "value": 80}]},
         set(range(11))),
        ({"signal": "usage_milestone"}, {"not": {"field": "nps", "op": "lt", "value": 9}},
         {9, 10}),
        ({"signal": "usage_milestone"}, {"all": [{"field": "nps", "op": "gte", "value": 9},
                                                 {"field": "health", "op": "gte", "value": 80}]},
         {9, 10}),
    ],
)  # fmt: skip
def test_the_invited_answers_come_from_the_conditions(
    trigger: dict[str, object], audience: dict[str, object], answers: set[int]
) -> None:
    definition = {"trigger": trigger, "audience": audience, "ask": "review", "site": "g2"}
    assert invited_answers(definition) == answers
    warned = solicitation_warning(definition, {"g2": "forbids-selective"}) is not None
    assert warned is (min(answers) >= 9)


def test_no_warning_for_a_play_that_asks_for_something_else() -> None:
    definition = {"trigger": {"signal": "nps", "value": {"gte": 9}}, "ask": "case_study"}
    assert solicitation_warning(definition, {"g2": "forbids-selective"}) is None


def test_a_site_the_settings_do_not_know_or_on_a_play_without_review_is_an_error(
    folder: Path,
) -> None:
    path = folder / PROMOTER_PLAY
    path.write_text(path.read_text().replace("site: g2", "site: g3"))
    other = folder / "renewal-testimonial.yaml"
    other.write_text(other.read_text() + "site: g2\n")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("playbook", "check", str(folder), "--json", stdout=out)
    errors = json.loads(out.getvalue())["errors"]
    assert [(e["file"], e["field"], e["message"]) for e in errors] == [
        (PROMOTER_PLAY, "site",
         "unknown review site 'g3'; known: capterra, g2, trustradius (ADVOCACY_REVIEW_SITES)"),
        ("renewal-testimonial.yaml", "site", "only a play whose ask is review names a site"),
    ]  # fmt: skip


def test_the_setting_reads_site_rule_pairs() -> None:
    assert parse_review_sites(" g2:forbids-selective , trustradius:allows,") == {
        "g2": "forbids-selective",
        "trustradius": "allows",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("g2", "expected site:rule pairs separated by commas ('g2')"),
        ("g2:forbids", "g2: the rule 'forbids' is not one of forbids-selective, allows"),
        ("G2:allows", "'G2' is not a site name (lower-case letters, digits and hyphens)"),
        ("g2:allows,g2:forbids-selective", "g2 is given twice"),
        (" , ", "expected at least one site:rule pair"),
    ],
)
def test_a_malformed_setting_is_named_clearly(text: str, message: str) -> None:
    with pytest.raises(ValueError) as exc:
        parse_review_sites(text)
    assert str(exc.value) == message


def test_a_malformed_setting_stops_the_process_naming_the_variable() -> None:
    from advocacy.core.env import SettingError, env_parsed

    with pytest.raises(SettingError) as exc:
        env_parsed("ADVOCACY_REVIEW_SITES", {}, parse_review_sites, {"ADVOCACY_REVIEW_SITES": "g2"})
    assert str(exc.value) == (
        "ADVOCACY_REVIEW_SITES: expected site:rule pairs separated by commas ('g2'), found 'g2'"
    )
