"""`playbook check` refuses a policy or play that names an unknown key, stage, reason, effort or
ask type, or a key that would drive nothing, with its file, line and field; nothing is loaded."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from advocacy.engine.models import Play
from advocacy.engine.plays import DEFAULT_PLAYBOOK

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "playbook"
    shutil.copytree(DEFAULT_PLAYBOOK, target)
    return target


def check(folder: Path, action: str = "check") -> list[dict[str, object]]:
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("playbook", action, str(folder), "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert body["ok"] is False
    return [{k: e[k] for k in ("file", "line", "field")} for e in body["errors"]]


POLICY_ERRORS = [
    ("nps_min: 9\nhealth_minimum: 70\n", 2, "health_minimum"),
    ("stages:\n  engagement: [review]\n  onboarding: [review]\n", 3, "stages.onboarding"),
    ("cap_days: {low: 30, extreme: 400}\n", 1, "cap_days.extreme"),
    ("hold_for_approval:\n  - excluded_sensitive_industry\n  - excluded_everything\n", 3,
     "hold_for_approval[1]"),
    ("stages:\n  engagement: [review, podcast]\n", 2, "stages.engagement"),
    ("ask_types:\n  podcast: {max_asks: 1}\n", 2, "ask_types.podcast"),
    # Keys that would drive nothing.
    ("stages:\n  engagement: [review]\n  expansion: [review, referral]\n", 3,
     "stages.expansion[0]"),
    ("ask_types:\n  referral: {anonymous_variant: anonymous_quote}\n", 2,
     "ask_types.referral.anonymous_variant"),
    ("ask_types:\n  case_study: {anonymous_variant: testimonial_quote}\n", 2,
     "ask_types.case_study.anonymous_variant"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "line", "field"), POLICY_ERRORS, ids=[e[2] for e in POLICY_ERRORS]
)
def test_a_bad_policy_is_named_and_nothing_loads(
    folder: Path, text: str, line: int, field: str
) -> None:
    (folder / "policy.yaml").write_text(text)
    assert check(folder) == [{"file": "policy.yaml", "line": line, "field": field}]
    assert check(folder, "load") == [{"file": "policy.yaml", "line": line, "field": field}]
    assert Play.objects.count() == 0


def test_a_play_naming_an_unknown_stage_or_alternative_is_named(folder: Path) -> None:
    play = folder / "expansion-case-study.yaml"
    text = play.read_text()
    text = text.replace("alternatives: [referral]", "alternatives: [referral, podcast]")
    text = text.replace("fallback: referral", "fallback: referral\nwiden_stages: [onboarding]")
    play.write_text(text)
    lines = text.splitlines()
    alternatives = next(i for i, t in enumerate(lines, 1) if t.startswith("alternatives"))
    widen = next(i for i, t in enumerate(lines, 1) if t.startswith("widen_stages"))
    assert check(folder) == [
        {"file": play.name, "line": widen, "field": "widen_stages[0]"},
    ]
    play.write_text(text.replace("widen_stages: [onboarding]", "widen_stages: [activation]"))
    assert check(folder) == [
        {"file": play.name, "line": alternatives, "field": "alternatives[1]"},
    ]
    assert Play.objects.count() == 0


def test_the_shipped_playbook_checks_clean() -> None:
    out = io.StringIO()
    call_command("playbook", "check", str(DEFAULT_PLAYBOOK), "--json", stdout=out)
    assert json.loads(out.getvalue())["ok"] is True


@pytest.mark.parametrize(
    "incentive", ["$25 gift card for a 5-star review", "A gift card if you rate us 9 or more",
                  "Swag for a positive review", "Credit when your score is high"],
)  # fmt: skip
def test_a_review_incentive_that_depends_on_the_rating_is_refused(
    folder: Path, incentive: str
) -> None:
    path = folder / "milestone-review.yaml"
    text = path.read_text().replace(
        'incentive: "Community recognition"', f"incentive: {incentive!r}"
    )
    path.write_text(text)
    assert check(folder) == [{"file": "milestone-review.yaml", "line": 20, "field": "incentive"}]


def test_a_review_incentive_for_an_honest_review_checks_clean(folder: Path) -> None:
    path = folder / "milestone-review.yaml"
    text = path.read_text().replace(
        'incentive: "Community recognition"', 'incentive: "A $25 gift card for an honest review"'
    )
    path.write_text(text)
    out = io.StringIO()
    call_command("playbook", "check", str(folder), "--json", stdout=out)
    assert json.loads(out.getvalue())["ok"] is True
