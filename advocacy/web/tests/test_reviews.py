"""The reviews import page: a G2 page closes the advocate's review ask as verified."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from advocacy.customers.models import Account, Contact
from advocacy.pipeline.models import Ask, AskType

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).parents[2] / "integrations/connectors/tests/samples/g2-reviews.json"


def test_an_upload_closes_the_ask_and_says_what_came_of_each(client: Any, member: Any) -> None:
    acme = Account.objects.create(name="Acme", domain="acme.com")
    ada = Contact.objects.create(account=acme, email="ada@acme.com")
    ask = Ask.objects.create(
        contact=ada, ask_type=AskType.objects.get(code="review"), moment="m", status="accepted",
        opened_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    client.force_login(member)
    assert client.get("/imports/reviews/").status_code == 200
    page = client.post(
        "/imports/reviews/",
        {"site": "g2", "file": SimpleUploadedFile("page.json", SAMPLE.read_bytes())},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="reviews-outcome"' in html
    assert f'review 7012345 (<a href="/asks/{ask.pk}/">ask {ask.pk}</a>)' in html
    ask.refresh_from_db()
    assert (ask.status, ask.verified_by, ask.verified_ref) == ("published", "g2", "7012345")
    bad = client.post(
        "/imports/reviews/", {"site": "g2", "file": SimpleUploadedFile("x.csv", b"Title\nx\n")}
    )
    assert bad.status_code == 422 and "needs a review id column" in bad.content.decode()


def test_sales_may_not_import_reviews(client: Any, seller: Any) -> None:
    client.force_login(seller)
    assert client.get("/imports/reviews/").status_code == 403
