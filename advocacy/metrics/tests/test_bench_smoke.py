"""The dashboard benchmark runs at a tiny scale and prints figures of the agreed shape.

Not a timing test: it only checks that the benchmark works end to end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection

from bench.harness import Context, discover

FIELDS = {"bench", "figure", "value", "unit", "baseline", "ratio", "goal", "met"}


@pytest.mark.django_db
def test_dashboard_benchmark_renders_the_page_and_replays_its_queries(tmp_path: Path) -> None:
    ctx = Context(scale="tiny", workdir=tmp_path, db=connection.vendor)

    figures = [json.loads(f.as_json()) for f in discover()["dashboard"].run(ctx)]

    assert [f["figure"] for f in figures] == ["render", "render_segment"]
    assert [FIELDS - set(f) for f in figures] == [set(), set()]
    render = figures[0]
    assert (render["bench"], render["unit"], render["goal"]) == ("dashboard", "s", "value < 2")
    assert render["queries"] > 10
    assert render["value"] > 0
    assert render["baseline"] > 0
    assert figures[1]["query"] == {"industry": "SaaS", "region": "na"}


@pytest.mark.django_db
def test_pages_benchmark_requests_each_page_and_replays_its_queries(tmp_path: Path) -> None:
    ctx = Context(scale="tiny", workdir=tmp_path, db=connection.vendor)

    figures = [json.loads(f.as_json()) for f in discover()["pages"].run(ctx)]

    assert [(f["figure"], f["page"]) for f in figures] == [
        ("page_p95", "contact"),
        ("page_p95", "account"),
        ("page_p95", "advocates"),
        ("page_p95", "pipeline"),
    ]
    assert [FIELDS - set(f) for f in figures] == [set()] * 4
    assert {(f["unit"], f["goal"]) for f in figures} == {("ms", "value < 300 and ratio <= 2")}
    assert [f["requests"] for f in figures] == [8, 8, 4, 4]
    assert all(f["value"] >= f["p50"] > 0 and f["baseline"] > 0 for f in figures)
    assert all(f["queries_median"] > 3 for f in figures)
