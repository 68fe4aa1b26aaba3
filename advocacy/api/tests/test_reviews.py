"""/api/reviews/import: a G2 API page or a CSV with a mapping; roles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from advocacy.customers.models import Account, Contact
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).parents[2] / "integrations/connectors/tests/samples/g2-reviews.json"


def test_a_g2_page_then_the_same_page_again(api: Any) -> None:
    acme = Account.objects.create(name="Acme", domain="acme.com")
    Contact.objects.create(account=acme, email="ada@acme.com")
    data = {"file": SimpleUploadedFile("page.json", SAMPLE.read_bytes())}
    first = api.upload("/api/reviews/import", data)
    assert first.status_code == 200
    assert first.json() == {
        "reviews": 4, "verified": [], "counted": ["7012345"], "unchanged": 0, "skipped": 1,
        "unmatched": ["7012346", "7012348"], "cancelled": [],
    }  # fmt: skip
    again = api.upload(
        "/api/reviews/import", {"file": SimpleUploadedFile("page.json", SAMPLE.read_bytes())}
    )
    assert (again.json()["counted"], again.json()["unchanged"]) == ([], 1)
    assert Signal.objects.filter(kind="review_published").count() == 1


def test_a_csv_with_a_mapping_and_bad_input(api: Any) -> None:
    acme = Account.objects.create(name="Acme", domain="acme.com")
    Contact.objects.create(account=acme, email="ada@acme.com")
    csv = b"Id,Who,Stars\n55,ada@acme.com,5\n"
    mapping = json.dumps({"columns": {"review_id": "Id", "email": "Who"}})
    answer = api.upload(
        "/api/reviews/import",
        {"file": SimpleUploadedFile("r.csv", csv), "site": "capterra", "mapping": mapping},
    )
    assert answer.json()["counted"] == ["55"]
    assert list(Signal.objects.values_list("source", "key", "value")) == [("capterra", "55", 5.0)]
    bad = api.upload("/api/reviews/import", {"file": SimpleUploadedFile("r.csv", b"Title\nx\n")})
    assert bad.status_code == 422
    assert "needs a review id column" in bad.json()["detail"]


def test_imports_need_their_scope(make_client: Any) -> None:
    answer = make_client("read").upload(
        "/api/reviews/import", {"file": SimpleUploadedFile("p.json", SAMPLE.read_bytes())}
    )
    assert answer.status_code == 403
