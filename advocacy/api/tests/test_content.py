"""/api/content: the library, assets and their moves, consent, reuse and rendering."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
import time_machine

from advocacy.content.models import TRANSITIONS, Asset, AssetStatus, AssetUse, Repermission
from advocacy.content.tests.conftest import NOW, advocate, asset_in, case_study

pytestmark = pytest.mark.django_db
PAIRS = list(itertools.product(AssetStatus.values, AssetStatus.values))


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_every_pair_of_states_through_the_api(api: Any, source: str, target: str) -> None:
    asset = asset_in(source)
    response = api.post(f"/api/content/{asset.pk}/transitions", {"to": target, "note": "n"})
    if target in TRANSITIONS[source]:
        assert (response.status_code, response.json()["status"]) == (200, target)
        assert response.json()["events"][-1]["to_status"] == target
    else:
        assert response.status_code == 409
        assert response.json()["detail"].startswith(
            f"asset {asset.pk}: cannot move from {source} to {target}"
        )
        assert Asset.objects.get(pk=asset.pk).status == source


def test_create_and_read_an_asset(api: Any, owner: Any) -> None:
    ada = advocate()
    body = {
        "kind": "case_study",
        "title": "Acme onboards in days",
        "contact_id": ada.pk,
        "headline": "40% faster",
        "results": ["Onboarding down 40%"],
        "note": "from the interview",
    }
    response = api.post("/api/content", body)
    assert response.status_code == 201
    made = response.json()
    assert (made["kind"], made["status"], made["account"], made["email"]) == (
        "case_study",
        "draft",
        "Acme Robotics",
        "ada@acme.example",
    )
    assert made["allowed_moves"] == ["advocate_review"]
    assert [(e["to_status"], e["actor_id"], e["note"]) for e in made["events"]] == [
        ("draft", owner.pk, "created: from the interview")
    ]
    assert api.get(f"/api/content/{made['id']}").json()["results"] == ["Onboarding down 40%"]


def test_create_names_unknown_contact_and_ask(api: Any) -> None:
    response = api.post(
        "/api/content", {"kind": "quote", "title": "t", "contact_id": 999, "ask_id": 998}
    )
    assert response.status_code == 422
    assert [(e["field"], e["msg"]) for e in response.json()["detail"]] == [
        ("contact_id", "no contact with id 999"),
        ("ask_id", "no ask with id 998"),
    ]


def test_writes_need_the_content_scope(make_client: Any) -> None:
    reader = make_client("read")
    asset = case_study()
    assert reader.get(f"/api/content/{asset.pk}").status_code == 200
    response = reader.post(f"/api/content/{asset.pk}/transitions", {"to": "advocate_review"})
    assert response.status_code == 403
    assert response.json()["detail"] == "missing scope 'content:write': this API key has read"


def test_the_library_filters_by_kind_status_and_consent_scope(api: Any) -> None:
    press = asset_in("published", kind="case_study", scopes=["press", "name"])
    quote = asset_in("approved", kind="quote", scopes=["quote"])
    asset_in("draft", kind="video", scopes=[])

    def ids(**params: Any) -> list[int]:
        return [a["id"] for a in api.get("/api/content", params).json()["items"]]

    assert ids(scope="press") == [press.pk]
    assert ids(scope="quote", kind="quote") == [quote.pk]
    assert ids(status="published") == [press.pk]
    assert api.get("/api/content", {"scope": "email"}).status_code == 422


def test_consent_then_a_use_then_a_refused_use(api: Any) -> None:
    asset = asset_in("approved", scopes=[])
    until = (NOW + dt.timedelta(days=365)).isoformat()
    response = api.post(
        f"/api/content/{asset.pk}/consent", {"scopes": ["quote", "name"], "expires_at": until}
    )
    assert response.status_code == 201
    assert response.json()["scopes"] == ["name", "quote"]
    used = api.post(f"/api/content/{asset.pk}/uses", {"channel": "website", "where": "/home"})
    assert used.status_code == 201
    assert (used.json()["outcome"], used.json()["needs"]) == ("recorded", ["quote"])
    refused = api.post(f"/api/content/{asset.pk}/uses", {"channel": "press", "where": "Wired"})
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": f"asset {asset.pk} may not be used on press: the consent does not cover press"
    }
    log = list(AssetUse.objects.filter(asset=asset).order_by("id").values_list("outcome", "where"))
    assert log == [("recorded", "/home"), ("refused", "Wired")]
    uses = api.get(f"/api/content/{asset.pk}").json()["uses"]
    assert [u["outcome"] for u in uses] == ["refused", "recorded"]


def test_bad_consent_is_422(api: Any) -> None:
    asset = asset_in("approved")
    past = (NOW - dt.timedelta(days=500)).isoformat()
    with time_machine.travel(NOW, tick=False):
        response = api.post(f"/api/content/{asset.pk}/consent", {"scopes": [], "expires_at": past})
    assert response.status_code == 422
    assert response.json() == {"detail": "the consent must expire after it was granted"}


def test_the_expiry_run_and_reminders(api: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        gone = asset_in("published", expires_at=NOW - dt.timedelta(days=1))
        soon = asset_in("published", expires_at=NOW + dt.timedelta(days=5))
        response = api.post("/api/content/expiry-runs")
        assert response.json() == {"expired": [gone.pk], "flagged": [soon.pk]}
        reminders = api.get("/api/content/repermissions").json()["items"]
    assert [(r["asset_id"], r["resolved_at"]) for r in reminders] == [(soon.pk, None)]
    flagged = api.get("/api/content", {"repermission": "true"}).json()["items"]
    assert [a["id"] for a in flagged] == [soon.pk]
    assert Repermission.objects.count() == 1


def test_rendering_as_html_and_pdf(api: Any) -> None:
    asset = case_study()
    html = api.get(f"/api/content/{asset.pk}/render.html")
    assert html.status_code == 200
    assert "A manufacturing company: Cut onboarding time by 40%" in html.content.decode()
    pdf = api.get(f"/api/content/{asset.pk}/render.pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Disposition"] == (
        f'attachment; filename="case-study-{asset.pk}-'
        'a-manufacturing-company-onboards-sites-in-days.pdf"'
    )


@pytest.mark.parametrize("n", [1, 30])
def test_the_list_costs_the_same_queries_for_1_or_30(
    api: Any, django_assert_max_num_queries: Any, n: int
) -> None:
    for _ in range(n):
        asset_in("published")
    with django_assert_max_num_queries(6):
        response = api.get("/api/content", {"scope": "quote"})
    assert response.json()["count"] == n


def test_edit_a_draft_and_not_more(api: Any) -> None:
    asset = case_study()
    response = api.client.patch(
        f"/api/content/{asset.pk}",
        '{"quote": "New words", "results": ["One"]}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.secret}"},
    )
    assert response.status_code == 200
    assert (response.json()["quote"], response.json()["results"]) == ("New words", ["One"])
    assert response.json()["events"][-1]["note"] == "edited results, quote"
    Asset.objects.filter(pk=asset.pk).update(status="approved")
    refused = api.client.patch(
        f"/api/content/{asset.pk}",
        '{"quote": "Sneaky"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.secret}"},
    )
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith(f"asset {asset.pk} is approved: only a draft")


def test_a_use_in_a_deal_keeps_the_crm_deal_id(api: Any) -> None:
    asset = asset_in("published", scopes=["quote"])
    used = api.post(
        f"/api/content/{asset.pk}/uses", {"channel": "sales_deck", "opportunity_ref": "006AB"}
    )
    assert used.status_code == 201
    assert used.json()["opportunity_ref"] == "006AB"
    too_long = api.post(
        f"/api/content/{asset.pk}/uses", {"channel": "sales_deck", "opportunity_ref": "x" * 101}
    )
    assert too_long.status_code == 422
    assert list(AssetUse.objects.values_list("opportunity_ref", flat=True)) == ["006AB"]
