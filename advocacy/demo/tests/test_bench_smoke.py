"""The import benchmark runs at a tiny scale and prints figures of the agreed shape.

Not a timing test: it only checks that the harness and the benchmark work end to end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection

from bench.harness import Context, discover

FIELDS = {"bench", "figure", "value", "unit", "baseline", "ratio", "goal", "met"}


@pytest.mark.django_db
def test_import_signals_benchmark_prints_one_json_line_per_figure(tmp_path: Path) -> None:
    registry = discover()
    ctx = Context(scale="tiny", workdir=tmp_path, db=connection.vendor)

    lines = [
        figure.as_json(db=connection.vendor, scale="tiny")
        for figure in registry["import_signals"].run(ctx)
    ]

    figures = [json.loads(line) for line in lines]
    assert [f["figure"] for f in figures] == ["rows_per_second", "peak_rss"]
    assert [FIELDS - set(f) for f in figures] == [set(), set()]
    rate = figures[0]
    assert (rate["bench"], rate["unit"], rate["rows"], rate["goal"]) == (
        "import_signals",
        "rows/s",
        500,
        "ratio >= 0.333",
    )
    assert rate["value"] > 0
    assert rate["baseline"] > 0
    assert rate["ratio"] == pytest.approx(rate["value"] / rate["baseline"], abs=0.01)
    assert figures[1]["unit"] == "MiB"


@pytest.mark.django_db
def test_evaluate_plays_benchmark_decides_what_the_hand_written_sql_decides(tmp_path: Path) -> None:
    """The baseline records a verdict for every candidate; the engine must consider the same
    candidates, or the comparison would be between different work."""
    registry = discover()
    ctx = Context(scale="tiny", workdir=tmp_path, db=connection.vendor)

    figures = [json.loads(f.as_json()) for f in registry["evaluate_plays"].run(ctx)]

    assert [f["figure"] for f in figures] == [
        "full_evaluation", "seed_rule", "re_evaluation", "peak_rss"
    ]  # fmt: skip
    assert [FIELDS - set(f) for f in figures] == [set()] * 4
    full = figures[0]
    assert full["baseline_rows"] == full["considered"]
    assert full["considered"] > 0
    assert figures[2]["goal"] == "ratio <= 0.2"


@pytest.mark.django_db
def test_profile_refresh_benchmark_stores_what_the_hand_written_sql_stores(tmp_path: Path) -> None:
    """The benchmark fails unless both refreshes store the same profiles; here it must not."""
    registry = discover()
    ctx = Context(scale="tiny", workdir=tmp_path, db=connection.vendor)

    figures = [json.loads(f.as_json()) for f in registry["profile_refresh"].run(ctx)]

    assert [f["figure"] for f in figures] == ["profile_refresh"]
    assert FIELDS - set(figures[0]) == set()
    refresh = figures[0]
    assert (refresh["contacts"], refresh["chunk"], refresh["unit"]) == (200, 5000, "s")
    assert refresh["goal"] == "ratio <= 3 and no writer waits 1 s"
    assert refresh["value"] > 0
    assert refresh["baseline"] > 0
