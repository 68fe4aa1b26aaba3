"""Score tones, value formatting and sparkline geometry."""

from __future__ import annotations

import pytest

from advocacy.web.charts import format_value, kind_style, score_tone, sparkline


@pytest.mark.parametrize(
    ("kind", "value", "tone"),
    [
        ("nps", 10, "good"),
        ("nps", 9, "good"),
        ("nps", 8, "warn"),
        ("nps", 7, "warn"),
        ("nps", 6, "bad"),
        ("nps", 0, "bad"),
        ("health_score", 70, "good"),
        ("health_score", 69.5, "warn"),
        ("health_score", 40, "warn"),
        ("health_score", 39, "bad"),
        ("csat", 4, "good"),
        ("csat", 3, "warn"),
        ("csat", 2, "bad"),
        ("renewal", 5, "neutral"),
        ("nps", None, "neutral"),
    ],
)
def test_score_tone(kind: str, value: float | None, tone: str) -> None:
    assert score_tone(kind, value) == tone


def test_format_value() -> None:
    assert format_value("nps", 9.0) == "9 / 10"
    assert format_value("health_score", 72.5) == "72.5 / 100"
    assert format_value("health_score", 55.5947) == "55.6 / 100"
    assert format_value("health_score", 64.96) == "65 / 100"
    assert format_value("expansion", 150000.0) == "$150,000"
    assert format_value("renewal", 25900.0) == "$25,900"
    assert format_value("activity", 19.0) == "19"
    assert format_value("nps", None) == ""


def test_every_kind_has_a_style_and_unknown_kinds_a_default() -> None:
    assert kind_style("nps").family == "sentiment"
    assert kind_style("opt_out").family == "optout"
    assert kind_style("something_new").family == "other"


def test_sparkline_geometry() -> None:
    line = sparkline([0, 10, 5], 0, 10, width=100, height=26)
    assert line is not None
    assert line.points == "3,23 50,3 97,13"
    assert (line.last_x, line.last_y) == (97, 13)
    assert line.label == "0, 10, 5"


def test_sparkline_clamps_out_of_range_values() -> None:
    line = sparkline([-5, 15], 0, 10, width=20, height=16)
    assert line is not None
    assert line.points == "3,13 17,3"


def test_sparkline_needs_two_points() -> None:
    assert sparkline([7], 0, 10) is None
    assert sparkline([], 0, 10) is None
