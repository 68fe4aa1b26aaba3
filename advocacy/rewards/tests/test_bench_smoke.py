"""The tiers benchmark runs at a tiny scale: the product and the hand-written SQL agree.

Not a timing test: it checks that the benchmark works end to end and that every tier is
reached by some contact, so that the two computations are compared on each.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection

from bench.harness import Context, discover

FIELDS = {"bench", "figure", "value", "unit", "baseline", "ratio", "goal", "met"}


@pytest.mark.django_db
def test_tiers_benchmark_prints_its_figure(tmp_path: Path) -> None:
    ctx = Context(scale="tiny", workdir=tmp_path, db=connection.vendor)

    (figure,) = [json.loads(f.as_json()) for f in discover()["tiers"].run(ctx)]

    assert FIELDS - set(figure) == set()
    assert (figure["figure"], figure["unit"], figure["goal"]) == ("distribution", "s", "ratio <= 3")
    assert figure["contacts"] == 200
    assert sorted(figure["counts"]) == ["Advocate", "Ambassador", "Champion", "No tier"]
    assert sum(figure["counts"].values()) == 200
