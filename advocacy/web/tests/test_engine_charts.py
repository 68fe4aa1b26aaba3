"""The stacked bar chart's geometry and plays in words."""

from __future__ import annotations

from typing import Any

import pytest

from advocacy.web.charts import Series, nice_ceiling, stacked_bars
from advocacy.web.playbook_text import (
    channels_text,
    condition_text,
    condition_tree,
    duration,
    holdout_text,
    owner_text,
    timing_text,
    trigger_text,
)

SERIES = (Series("a", "Asked"), Series("b", "Held out"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, (1, 1)), (1, (1, 1)), (3, (3, 1)), (37, (40, 10)), (100, (100, 50)), (1234, (1500, 500))],
)
def test_nice_ceiling(value: int, expected: tuple[int, int]) -> None:
    assert nice_ceiling(value) == expected


def test_stacked_bars_stack_bottom_up_on_a_round_scale() -> None:
    chart = stacked_bars(
        ["2 Mar", "9 Mar"],
        [{"a": 3, "b": 1}, {"a": 0, "b": 2}],
        SERIES,
        titles=["Week of 2 Mar", "Week of 9 Mar"],
        width=140,
        height=138,
    )
    # Plot from x 44 to 132 (two slots of 44), y 10 to 110 (100 px for 4 units).
    assert (chart.left, chart.right, chart.top, chart.bottom) == (44, 132, 10, 110)
    assert [(t.value, t.y) for t in chart.ticks] == [(0, 110), (1, 85), (2, 60), (3, 35), (4, 10)]
    first, second = chart.groups
    assert (first.x, first.width, first.total) == (50.6, 30.8, 4)
    assert [(s.key, s.value, s.y, s.height) for s in first.segments] == [
        ("a", 3, 35.0, 75.0),
        ("b", 1, 10.0, 25.0),
    ]
    assert [(s.value, s.y, s.height) for s in second.segments] == [(0, 110, 0), (2, 60, 50)]
    assert first.description == "Week of 2 Mar: 3 asked, 1 held out"
    assert second.description == "Week of 9 Mar: 2 held out"
    assert not chart.is_empty


def test_stacked_bars_thin_out_labels_and_know_when_empty() -> None:
    labels = [f"w{i}" for i in range(26)]
    chart = stacked_bars(labels, [{} for _ in labels], SERIES)
    assert [g.label for g in chart.groups if g.show_label] == [f"w{i}" for i in range(0, 26, 3)]
    assert chart.is_empty
    assert chart.groups[0].description == "w0: nothing"


@pytest.mark.parametrize(
    ("hours", "text"), [(1, "1 hour"), (48, "48 hours"), (72, "3 days"), (100, "100 hours")]
)
def test_duration(hours: int, text: str) -> None:
    assert duration(hours) == text


def test_trigger_text() -> None:
    assert trigger_text({"trigger": {"signal": "nps", "value": {"gte": 9}}}) == (
        "NPS answer ≥ 9, within 48 hours"
    )
    assert trigger_text(
        {"trigger": {"signal": "csat", "value": {"in": [4, 5]}, "lookback_hours": 168}}
    ) == ("CSAT answer in 4, 5, within 7 days")


NESTED: dict[str, Any] = {
    "all": [
        {"field": "nps", "op": "gte", "value": 9},
        {
            "any": [
                {"field": "persona", "op": "in", "value": ["admin", "champion"]},
                {"not": {"field": "region", "op": "eq", "value": "apac"}},
            ]
        },
    ]
}


def test_condition_text_and_tree() -> None:
    assert condition_text(None) == "everyone"
    assert condition_text({"all": [{"field": "nda", "op": "is_true"}]}) == "NDA / no logo use"
    assert condition_text(NESTED) == (
        "latest NPS ≥ 9 and (persona in admin, champion or not: region = apac)"
    )
    tree = condition_tree(NESTED)
    assert tree is not None
    assert tree.text == "all of"
    assert [child.text for child in tree.children] == ["latest NPS ≥ 9", "any of"]
    assert [child.text for child in tree.children[1].children] == [
        "persona in admin, champion",
        "not: region = apac",
    ]
    negated = condition_tree({"not": {"any": [{"field": "nda", "op": "is_true"}, NESTED]}})
    assert negated is not None
    assert negated.text == "none of"


def test_channels_timing_owner_holdout() -> None:
    play = {
        "channels": [
            {"channel": "csm", "after_hours": 0},
            {"channel": "email", "after_hours": 72},
            {"channel": "slack", "after_hours": 5},
        ],
        "timing": {"within_hours": 48, "reminder_after_days": 1},
        "owner": {"role": "cs", "account_owner": True},
        "holdout": 0.25,
    }
    assert channels_text(play) == ["CSM, at once", "email, after 3 days", "Slack, after 5 hours"]
    assert timing_text(play) == "ask within 48 hours; remind after 1 day"
    assert owner_text(play) == "Customer success: the account's owner"
    assert owner_text({"owner": {"account_owner": True}}) == "The account's owner"
    assert owner_text({}) == "Unassigned"
    assert holdout_text(play) == "25%"
    assert holdout_text({}) == "none"
