"""The reference matching benchmark runs at a tiny scale and prints figures of the agreed shape.

Not a timing test: it only checks that the benchmark works end to end and finds candidates.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection

from bench.harness import Context, discover

FIELDS = {"bench", "figure", "value", "unit", "baseline", "ratio", "goal", "met"}


@pytest.mark.django_db
def test_reference_matching_benchmark_prints_its_figures(tmp_path: Path) -> None:
    ctx = Context(scale="tiny", workdir=tmp_path, db=connection.vendor)

    figures = [json.loads(f.as_json()) for f in discover()["reference_matching"].run(ctx)]

    assert [f["figure"] for f in figures] == ["matching_p99", "matching_p95", "matching_p50"]
    assert [FIELDS - set(f) for f in figures] == [set(), set(), set()]
    p99 = figures[0]
    goal = "value < 20" if connection.vendor == "postgresql" else "value < 10"
    assert (p99["unit"], p99["goal"], p99["samples"]) == ("ms", goal, 20)
    assert p99["pool_ready"] > 0
    assert p99["candidates_per_request"] > 0
    assert p99["value"] > 0
    assert p99["baseline"] > 0
