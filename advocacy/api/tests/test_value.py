"""/api/value: previews, sends (a job), the year's page and PDF, reciprocity, the weekly
opt-in; each with the rights of its action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from advocacy.messaging.models import Message, MessageKind
from advocacy.value.models import InsightsPreference, ValueMoment
from advocacy.value.tests.conftest import _names, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
AT = "2026-12-02T12:00:00Z"


def test_preview_then_send_once(make_client: Callable[..., Any], world: Any) -> None:  # noqa: F811
    api = make_client("read", "asks:write")
    got = api.get(f"/api/value/monthly/preview/{world['ada'].pk}", {"as_of": AT})
    assert got.status_code == 200
    assert got.json()["subject"] == "Acme's Beacon insights for November 2026"
    assert got.json()["period"] == "2026-11"
    early = api.post("/api/value/monthly/sends", {"period": "2026-12", "as_of": AT})
    assert early.status_code == 422
    assert "not over yet" in early.json()["detail"]
    sent = api.post("/api/value/monthly/sends", {"as_of": AT})
    assert sent.status_code == 202
    job = api.get(sent["Location"]).json()
    assert job["state"] == "done"
    assert job["result"]["written"] == 1
    again = api.post("/api/value/monthly/sends", {"as_of": AT})
    assert api.get(again["Location"]).json()["result"]["written"] == 0
    assert Message.objects.filter(kind=MessageKind.VALUE).count() == 1


def test_a_seller_may_preview_but_not_send(
    make_client: Callable[..., Any],
    seller: Any,
    world: Any,  # noqa: F811
) -> None:
    api = make_client("read", "asks:write", user=seller)
    assert (
        api.get(f"/api/value/monthly/preview/{world['ada'].pk}", {"as_of": AT}).status_code == 200
    )
    refused = api.post("/api/value/monthly/sends", {"as_of": AT})
    assert refused.status_code == 403
    assert ValueMoment.objects.count() == 0


def test_the_year_page_and_pdf(make_client: Callable[..., Any], world: Any) -> None:  # noqa: F811
    api = make_client("read")
    page = api.get(
        f"/api/value/wrapped/accounts/{world['acme'].pk}.html", {"period": "2025", "as_of": AT}
    )
    assert page.status_code == 200
    assert page.content.count(b"<svg") == 2
    assert api.get("/api/value/wrapped/accounts/999999.html").status_code == 404
    built = api.post(
        "/api/value/wrapped/pdf",
        {"kind": "wrapped", "contact_id": world["bo"].pk, "year": "2025", "as_of": AT},
    )
    assert built.status_code == 202
    job = api.get(built["Location"]).json()
    assert (job["state"], job["result"]["filename"]) == (
        "done",
        f"year-in-review-2025-advocate-{world['bo'].pk}.pdf",
    )
    not_over = api.post(
        "/api/value/wrapped/pdf",
        {"kind": "wrapped", "contact_id": world["bo"].pk, "year": "2026", "as_of": AT},
    )
    assert not_over.status_code == 422


def test_reciprocity_and_the_weekly_opt_in(
    make_client: Callable[..., Any],
    member: Any,
    marketer: Any,
    world: Any,  # noqa: F811
) -> None:
    bo = world["bo"]
    got = make_client("read").get(f"/api/value/reciprocity/{bo.pk}", {"as_of": AT}).json()
    assert (got["given"], got["asked"], got["balance"]) == (0, 0, 0)
    cs = make_client("read", "customers:write", user=member)
    put = cs.client.put(
        f"/api/value/weekly/{bo.pk}",
        '{"weekly": true}',
        content_type="application/json",
        headers=cs._headers(None),
    )
    assert (put.status_code, put.json()) == (200, {"contact_id": bo.pk, "weekly": True})
    assert InsightsPreference.objects.get(contact=bo).set_in == "staff"
    mk = make_client("read", "customers:write", user=marketer)
    refused = mk.client.put(
        f"/api/value/weekly/{bo.pk}",
        '{"weekly": false}',
        content_type="application/json",
        headers=mk._headers(None),
    )
    assert refused.status_code == 403
    assert InsightsPreference.objects.get(contact=bo).weekly is True
