"""The advocate approves all content: approve with the consent they grant, send changes, decline."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.content.models import Asset, AssetEvent, AssetStatus, Consent
from advocacy.content.services import create_asset, move_asset
from advocacy.customers.models import Account, Contact
from advocacy.pipeline.notices import Notice, NoticeKind
from advocacy.portal.tests.conftest import World

pytestmark = pytest.mark.django_db


def draft(
    contact: Contact, author: Any, kind: str = "quote", review: bool = True, **f: Any
) -> Asset:
    now = timezone.now()
    f.setdefault("body", "It saves us a day a week.")
    asset = create_asset(kind=kind, title=f"{kind} of {contact.first_name}", contact=contact,
                         actor=author, now=now, **f)  # fmt: skip
    if review:
        move_asset(asset, AssetStatus.ADVOCATE_REVIEW, actor=author, now=now)
    return asset


def test_the_list_shows_what_waits_for_review_and_nothing_still_in_draft(
    ann_client: Client, world: World, marketer: Any
) -> None:
    waiting = draft(world.ann, marketer)
    hidden = draft(world.ann, marketer, kind="testimonial", review=False)
    html = ann_client.get(reverse("portal:content")).content.decode()
    assert html.count('data-testid="asset-waiting"') == 1
    assert waiting.title in html and hidden.title not in html
    assert ann_client.get(reverse("portal:asset", args=[hidden.pk])).status_code == 404
    home = ann_client.get(reverse("portal:home")).content.decode()
    assert "1 piece of content is waiting for your review" in home


def test_the_draft_page_offers_the_scopes_it_needs_and_a_year(
    ann_client: Client, world: World, marketer: Any
) -> None:
    asset = draft(world.ann, marketer)
    html = ann_client.get(reverse("portal:asset", args=[asset.pk])).content.decode()
    assert "It saves us a day a week." in html
    assert 'value="quote" id="id_scopes_3" checked' in html  # a quote needs its words quoted
    assert 'value="name" id="id_scopes_0" checked' not in html
    assert f'value="{(timezone.now() + timedelta(days=365)).date().isoformat()}"' in html
    assert html.count('data-testid="approve"') == 1


def test_approving_records_the_consent_then_approves(
    ann_client: Client, world: World, marketer: Any
) -> None:
    asset = draft(world.ann, marketer)
    until = (timezone.now() + timedelta(days=200)).date()
    response = ann_client.post(
        reverse("portal:asset_approve", args=[asset.pk]),
        {"scopes": ["name", "title", "quote"], "until": until.isoformat()},
    )
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.status == AssetStatus.APPROVED
    assert asset.scopes == ["name", "title", "quote"]
    consent = Consent.objects.get(asset=asset)
    assert (consent.recorded_by_id, consent.note) == (None, "granted by the advocate in the portal")
    event = AssetEvent.objects.filter(asset=asset).latest("id")
    assert (event.to_status, event.actor_id, event.note) == (
        "approved",
        None,
        "approved by the advocate in the portal",
    )
    notice = Notice.objects.get(kind=NoticeKind.CONTENT_APPROVED)
    assert notice.recipient_id == marketer.pk and notice.role == "marketing"
    assert notice.text == (
        f"Ann Archer approved “{asset.title}” (show my name; show my job title; quote my words; "
        f"until {until:%d %b %Y})."
    )
    page = ann_client.get(reverse("portal:asset", args=[asset.pk])).content.decode()
    assert "Show my name; Show my job title; Quote my words: until" in page


@pytest.mark.parametrize(
    "form",
    [
        {"scopes": ["quote"], "until": "2001-01-01"},  # already over
        {"scopes": ["quote"], "until": "2099-01-01"},  # longer than five years
        {"scopes": ["quote"], "until": "not a day"},
        {"scopes": ["everything"], "until": (date.today() + timedelta(days=30)).isoformat()},
    ],
)
def test_a_bad_approval_changes_nothing(
    ann_client: Client, world: World, marketer: Any, form: dict[str, Any]
) -> None:
    asset = draft(world.ann, marketer)
    response = ann_client.post(reverse("portal:asset_approve", args=[asset.pk]), form)
    assert response.status_code == 422
    asset.refresh_from_db()
    assert asset.status == AssetStatus.ADVOCATE_REVIEW
    assert Consent.objects.count() == 0


def test_changes_go_back_to_draft_with_the_wording_and_the_note(
    ann_client: Client, world: World, marketer: Any
) -> None:
    asset = draft(world.ann, marketer)
    response = ann_client.post(
        reverse("portal:asset_changes", args=[asset.pk]),
        {"body": "It saves our team a day every week.", "note": "More precise, please"},
    )
    assert response.status_code == 302
    asset.refresh_from_db()
    assert (asset.status, asset.body) == (AssetStatus.DRAFT, "It saves our team a day every week.")
    notes = list(
        AssetEvent.objects.filter(asset=asset).order_by("id").values_list("note", flat=True)
    )
    assert notes[-2:] == [
        "the advocate asked for changes in the portal: More precise, please",
        "edited body: by the advocate in the portal",
    ]
    notice = Notice.objects.get(kind=NoticeKind.CONTENT_EDITED)
    assert notice.text == (
        f"Ann Archer sent changes to “{asset.title}” (body changed): “More precise, please”."
    )
    assert ann_client.get(reverse("portal:asset", args=[asset.pk])).status_code == 404  # a draft


def test_changes_that_change_nothing_are_refused(
    ann_client: Client, world: World, marketer: Any
) -> None:
    asset = draft(world.ann, marketer)
    response = ann_client.post(
        reverse("portal:asset_changes", args=[asset.pk]), {"body": asset.body, "note": ""}
    )
    assert response.status_code == 422
    assert "change the wording or say what you would like changed" in response.content.decode()
    asset.refresh_from_db()
    assert asset.status == AssetStatus.ADVOCATE_REVIEW


def test_declining_revokes_it(ann_client: Client, world: World, marketer: Any) -> None:
    asset = draft(world.ann, marketer)
    ann_client.post(reverse("portal:asset_decline", args=[asset.pk]), {"reason": "Too personal"})
    asset.refresh_from_db()
    assert asset.status == AssetStatus.REVOKED
    assert AssetEvent.objects.filter(asset=asset).latest("id").note == (
        "declined by the advocate in the portal: Too personal"
    )
    again = ann_client.post(reverse("portal:asset_approve", args=[asset.pk]),
                            {"scopes": ["quote"], "until": "2030-01-01"})  # fmt: skip
    assert again.status_code == 422
    asset.refresh_from_db()
    assert asset.status == AssetStatus.REVOKED


def test_another_contacts_content_is_not_found(
    ann_client: Client, world: World, marketer: Any
) -> None:
    theirs = draft(world.bob, marketer)
    for name in (
        "portal:asset",
        "portal:asset_approve",
        "portal:asset_changes",
        "portal:asset_decline",
    ):
        response = (
            ann_client.get(reverse(name, args=[theirs.pk]))
            if name == "portal:asset"
            else ann_client.post(reverse(name, args=[theirs.pk]), {"scopes": ["quote"]})
        )
        assert response.status_code == 404, name
    theirs.refresh_from_db()
    assert theirs.status == AssetStatus.ADVOCATE_REVIEW


def test_under_an_nda_the_logo_is_not_theirs_to_grant(
    ann_client: Client, world: World, marketer: Any
) -> None:
    Account.objects.filter(pk=world.ann.account_id).update(nda=True)
    asset = draft(world.ann, marketer)
    html = ann_client.get(reverse("portal:asset", args=[asset.pk])).content.decode()
    assert "Show our company's logo" not in html and "Show my name" in html
    until = (timezone.now() + timedelta(days=30)).date().isoformat()
    response = ann_client.post(
        reverse("portal:asset_approve", args=[asset.pk]), {"scopes": ["logo"], "until": until}
    )
    assert response.status_code == 422
    asset.refresh_from_db()
    assert asset.status == AssetStatus.ADVOCATE_REVIEW
