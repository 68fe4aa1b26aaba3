from datetime import UTC, datetime
from pathlib import Path

import pytest

from advocacy.engine.models import Play
from advocacy.engine.plays import DEFAULT_PLAYBOOK, PlaybookError, load_playbook, read_playbook

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, tzinfo=UTC)

BAD = """\
name: bad-play
title: A play with mistakes
trigger:
  signal: nps
  value: {gte: nine}
audience:
  all:
    - {field: nps, op: gte, value: 9}
    - {field: shoe_size, op: gte, value: 9}
ask: testimonial
"""


def test_the_default_playbook_loads_every_play():
    result = load_playbook(now=NOW)
    assert result.errors == []
    assert sorted(Play.objects.values_list("name", flat=True)) == sorted(
        p.stem for p in DEFAULT_PLAYBOOK.glob("*.yaml") if p.stem != "policy"
    )


def test_errors_name_file_line_and_field(tmp_path: Path):
    (tmp_path / "bad.yaml").write_text(BAD)
    errors = read_playbook(tmp_path).errors
    assert [str(e) for e in errors] == [
        "bad.yaml:5: trigger.value.gte: 'nine' is not of type 'number'",
    ]
    (tmp_path / "bad.yaml").write_text(BAD.replace("{gte: nine}", "{gte: 9}"))
    errors = read_playbook(tmp_path).errors
    assert next(str(e) for e in errors).startswith(
        "bad.yaml:9: audience.all[1].field: unknown field 'shoe_size'"
    )
    assert str(errors[1]).startswith("bad.yaml:10: ask: unknown ask type 'testimonial'")


def test_a_broken_playbook_loads_nothing(tmp_path: Path):
    (tmp_path / "bad.yaml").write_text(BAD)
    (tmp_path / "good.yaml").write_text((DEFAULT_PLAYBOOK / "nps-promoter-review.yaml").read_text())
    with pytest.raises(PlaybookError):
        load_playbook(tmp_path, now=NOW)
    assert Play.objects.count() == 0


def test_invalid_yaml_reports_its_line(tmp_path: Path):
    (tmp_path / "x.yaml").write_text("name: x\ntitle: [unclosed\n")
    (error,) = read_playbook(tmp_path).errors
    assert error.file == "x.yaml"
    assert error.line == 3
    assert "not valid YAML" in error.message
