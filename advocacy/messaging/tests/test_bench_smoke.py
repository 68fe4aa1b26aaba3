"""The outbox benchmark runs at a tiny scale and prints figures of the agreed shape.

Not a timing test: it only checks that the benchmark works end to end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection

from advocacy.messaging.models import Message
from bench.harness import Context, discover

FIELDS = {"bench", "figure", "value", "unit", "baseline", "ratio", "goal", "met"}


@pytest.mark.django_db
def test_the_outbox_benchmark_delivers_everything_and_measures_the_bare_loop(
    tmp_path: Path,
) -> None:
    ctx = Context(scale="tiny", workdir=tmp_path, db=connection.vendor)

    (figure,) = [json.loads(f.as_json()) for f in discover()["outbox"].run(ctx)]

    assert FIELDS - set(figure) == set()
    assert (figure["bench"], figure["figure"], figure["goal"]) == (
        "outbox",
        "deliver",
        "ratio >= 0.5",
    )
    assert figure["rows"] == 200
    assert figure["value"] > 0 and figure["baseline"] > 0
    assert Message.objects.filter(status="sent").count() == 200
