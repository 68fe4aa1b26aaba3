"""The webhook_ingest benchmark runs at a tiny scale and prints figures of the agreed shape.

Not a timing test: it only checks that the benchmark works end to end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection

from advocacy.integrations.connectors.models import InboxRequest
from bench.harness import Context, discover

FIELDS = {"bench", "figure", "value", "unit", "baseline", "ratio", "goal", "met"}


@pytest.mark.django_db
def test_the_webhook_benchmark_stores_every_request_and_measures_the_twin(tmp_path: Path) -> None:
    ctx = Context(scale="tiny", workdir=tmp_path, db=connection.vendor)

    (figure,) = [json.loads(f.as_json()) for f in discover()["webhook_ingest"].run(ctx)]

    assert FIELDS - set(figure) == set()
    assert (figure["bench"], figure["figure"], figure["goal"]) == (
        "webhook_ingest",
        "inbox",
        "ratio >= 0.35",
    )
    assert figure["rows"] == 50
    assert figure["value"] > 0 and figure["baseline"] > 0
    assert InboxRequest.objects.count() == 50
