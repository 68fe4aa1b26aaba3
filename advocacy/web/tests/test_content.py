"""The content library, an asset's page and its forms (moves, consent, reuse, rendering)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.test import Client

from advocacy.content.models import TRANSITIONS, Asset, AssetStatus, AssetUse, Repermission
from advocacy.content.tests.conftest import NOW, advocate, asset_in, case_study
from advocacy.web.tests.conftest import HTMX

pytestmark = pytest.mark.django_db
PAIRS = list(itertools.product(AssetStatus.values, AssetStatus.values))


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_every_pair_of_states_through_the_web(
    marketing_client: Client, source: str, target: str
) -> None:
    asset = asset_in(source)
    response = marketing_client.post(f"/content/{asset.pk}/move/", {"to": target}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    if target in TRANSITIONS[source]:
        assert Asset.objects.get(pk=asset.pk).status == target
        assert f"Asset {asset.pk} is now {AssetStatus(target).label.lower()}." in page
    else:
        assert Asset.objects.get(pk=asset.pk).status == source
        assert f"Not moved: asset {asset.pk}: cannot move from {source} to {target}" in page


def test_the_page_offers_only_the_allowed_moves(marketing_client: Client) -> None:
    asset = asset_in("advocate_review")
    page = marketing_client.get(f"/content/{asset.pk}/").content.decode()
    assert 'data-testid="move-draft"' in page
    assert 'data-testid="move-approved"' in page
    assert 'data-testid="move-revoked"' in page
    assert 'data-testid="move-published"' not in page
    final = marketing_client.get(f"/content/{asset_in('revoked').pk}/").content.decode()
    assert 'data-testid="final"' in final


def test_the_library_filters_by_kind_status_and_consent(marketing_client: Client) -> None:
    press = asset_in("published", kind="case_study", scopes=["press"])
    quote = asset_in("approved", kind="quote", scopes=["quote"])
    page = marketing_client.get("/content/", {"scope": "press"}).content.decode()
    assert f'data-testid="asset-row-{press.pk}"' in page
    assert f'data-testid="asset-row-{quote.pk}"' not in page
    partial = marketing_client.get("/content/", {"kind": "quote"}, **HTMX).content.decode()
    assert "<html" not in partial
    assert f'data-testid="asset-row-{quote.pk}"' in partial
    assert f'data-testid="asset-row-{press.pk}"' not in partial
    assert (
        '<p class="results__count" role="status" data-testid="asset-count">1 asset</p>' in partial
    )
    assert 'aria-current="page" data-testid="nav-content"' in page


def test_create_an_asset_with_form_errors_then_success(
    marketing_client: Client, marketer: Any
) -> None:
    ada = advocate()
    bad = marketing_client.post("/content/new/", {"kind": "quote", "title": "", "contact": "x@y.z"})
    assert bad.status_code == 422
    page = bad.content.decode()
    assert "No contact has the email x@y.z." in page
    assert "This field is required." in page
    response = marketing_client.post(
        "/content/new/",
        {
            "kind": "case_study",
            "title": "Acme in days",
            "contact": "Ada@Acme.example",
            "results": "40% faster\n\nHalf the tickets",
        },
    )
    asset = Asset.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/content/{asset.pk}/"
    assert (asset.contact, asset.results, asset.created_by) == (
        ada,
        ["40% faster", "Half the tickets"],
        marketer,
    )


def test_consent_and_uses_from_the_page(marketing_client: Client) -> None:
    asset = asset_in("published", scopes=[])
    bad = marketing_client.post(f"/content/{asset.pk}/consent/", {"scopes": ["quote"], "until": ""})
    assert bad.status_code == 422
    assert "This field is required." in bad.content.decode()
    ok = marketing_client.post(
        f"/content/{asset.pk}/consent/", {"scopes": ["quote", "name"], "until": "2099-03-01"}
    )
    assert ok.status_code == 302
    assert Asset.objects.get(pk=asset.pk).scopes == ["name", "quote"]
    used = marketing_client.post(
        f"/content/{asset.pk}/use/", {"channel": "website", "where": "/home"}, follow=True
    )
    assert "Use recorded." in used.content.decode()
    refused = marketing_client.post(
        f"/content/{asset.pk}/use/", {"channel": "press", "where": "Wired"}, follow=True
    )
    page = refused.content.decode()
    assert "Refused, and recorded: the consent does not cover press." in page
    assert '<strong class="overdue">refused</strong>: the consent does not cover press' in page
    assert list(AssetUse.objects.order_by("id").values_list("channel", "outcome")) == [
        ("website", "recorded"),
        ("press", "refused"),
    ]


def test_preview_and_pdf(marketing_client: Client) -> None:
    asset = case_study()
    preview = marketing_client.get(f"/content/{asset.pk}/preview/")
    assert "A manufacturing company: Cut onboarding time by 40%" in preview.content.decode()
    pdf = marketing_client.get(f"/content/{asset.pk}/pdf/")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF-")


def test_reminders_show_in_the_library_and_on_the_asset(marketing_client: Client) -> None:
    soon = asset_in("published", expires_at=NOW + dt.timedelta(days=3))
    Repermission.objects.create(asset=soon, expires_at=soon.consent_expires_at, raised_at=NOW)
    library = marketing_client.get("/content/").content.decode()
    assert '<span class="board__count" data-testid="reminder-count">1</span>' in library
    assert "consent ends <time" in library
    page = marketing_client.get(f"/content/{soon.pk}/").content.decode()
    assert "consent ends 4 Jun 2026: ask again" in page


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    asset = case_study()
    for url in ("/content/", f"/content/{asset.pk}/", f"/content/{asset.pk}/pdf/"):
        response = client.get(url)
        assert (response.status_code, response["Location"].split("?")[0]) == (302, "/login/")


@pytest.mark.parametrize("n", [1, 30])
def test_the_library_and_an_asset_page_cost_the_same_queries_for_1_or_30(
    marketing_client: Client, django_assert_max_num_queries: Any, n: int
) -> None:
    assets = [asset_in("published", expires_at=NOW + dt.timedelta(days=5)) for _ in range(n)]
    for asset in assets:
        Repermission.objects.create(asset=asset, expires_at=asset.consent_expires_at, raised_at=NOW)
        AssetUse.objects.create(asset=asset, channel="website", outcome="recorded", at=NOW)
    with django_assert_max_num_queries(12):
        assert marketing_client.get("/content/").status_code == 200
    with django_assert_max_num_queries(14):
        assert marketing_client.get(f"/content/{assets[0].pk}/").status_code == 200


def test_a_new_asset_from_an_ask_is_prefilled(marketing_client: Client) -> None:
    from advocacy.engine.asks import AskRequest, open_asks
    from advocacy.pipeline.models import AskType

    ada = advocate()
    request = AskRequest(ada.pk, AskType.objects.get(code="case_study"), "manual:1")
    ask = open_asks([request], now=NOW).opened[0]
    page = marketing_client.get("/content/new/", {"ask": ask.pk}).content.decode()
    assert 'value="ada@acme.example"' in page
    assert f'value="{ask.pk}"' in page


def test_edit_a_draft_from_its_page(marketing_client: Client) -> None:
    asset = case_study()
    page = marketing_client.get(f"/content/{asset.pk}/").content.decode()
    assert 'data-testid="edit"' in page
    form = marketing_client.get(f"/content/{asset.pk}/edit/").content.decode()
    assert "Onboarding down 40%\nSupport tickets halved\nNPS up 22 points" in form
    response = marketing_client.post(
        f"/content/{asset.pk}/edit/",
        {"title": "Acme in days", "results": "One\nTwo", "quote": "New words"},
    )
    assert (response.status_code, response["Location"]) == (302, f"/content/{asset.pk}/")
    fresh = Asset.objects.get(pk=asset.pk)
    assert (fresh.title, fresh.results, fresh.quote, fresh.challenge) == (
        "Acme in days",
        ["One", "Two"],
        "New words",
        "",
    )
    Asset.objects.filter(pk=asset.pk).update(status="approved")
    refused = marketing_client.post(f"/content/{asset.pk}/edit/", {"title": "Sneaky"})
    assert refused.status_code == 422
    assert "only a draft can be edited" in refused.content.decode()
    assert (
        'data-testid="edit"' not in marketing_client.get(f"/content/{asset.pk}/").content.decode()
    )


def test_the_expected_move_is_the_primary_button_and_revoking_asks_first(
    marketing_client: Client,
) -> None:
    asset = asset_in("approved")
    page = marketing_client.get(f"/content/{asset.pk}/").content.decode()
    assert (
        '<button type="submit" name="to" value="published" class="button button--small" '
        'data-testid="move-published">Publish</button>'
    ) in page
    assert (
        '<button type="submit" name="to" value="revoked" class="button button--secondary '
        f'button--small" data-confirm="Revoke {asset.title}? It can no longer be published or '
        'used, and revoking cannot be undone." data-testid="move-revoked">Revoke</button>'
    ) in page
    assert (
        'value="expired" class="button button--secondary button--small" data-confirm="Mark '
        f"{asset.title} expired?"
    ) in page
    review = marketing_client.get(f"/content/{asset_in('advocate_review').pk}/").content.decode()
    assert 'value="approved" class="button button--small"' in review
    assert 'value="draft" class="button button--secondary button--small"' in review


def test_a_use_in_a_deal_keeps_the_crm_deal_id(marketing_client: Client) -> None:
    asset = asset_in("published", scopes=["quote"])
    used = marketing_client.post(
        f"/content/{asset.pk}/use/",
        {"channel": "sales_deck", "where": "Deck", "opportunity_ref": " 006AB "},
        follow=True,
    )
    assert "Use recorded." in used.content.decode()
    assert "Deck · deal 006AB" in used.content.decode()
    assert list(AssetUse.objects.values_list("opportunity_ref", flat=True)) == ["006AB"]
