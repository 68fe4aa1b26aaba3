"""Consent and reuse: every use recorded, refused (and the refusal recorded) when the asset's
state or its consent does not cover it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from advocacy.content.models import Asset, AssetUse, Consent, Repermission
from advocacy.content.services import (
    ContentError,
    UseRefused,
    grant_consent,
    needs_of,
    record_use,
    renew_consent,
)
from advocacy.content.tests.conftest import NOW, asset_in, case_study

pytestmark = pytest.mark.django_db


def uses(asset: Asset) -> list[tuple[str, str, list[str], str]]:
    rows = AssetUse.objects.filter(asset=asset).order_by("id")
    return [(u.channel, u.outcome, u.needs, u.reason) for u in rows]


def test_a_consented_use_is_recorded(member: Any) -> None:
    asset = asset_in("published", scopes=["quote"])
    use = record_use(asset, "website", actor=member, now=NOW, where="/customers")
    assert (use.outcome, use.used_by_id, use.where, use.at) == (
        "recorded",
        member.pk,
        "/customers",
        NOW,
    )
    assert uses(asset) == [("website", "recorded", ["quote"], "")]


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("draft", "it is draft, not approved or published"),
        ("advocate_review", "it is advocate review, not approved or published"),
        ("expired", "it is expired, not approved or published"),
        ("revoked", "it is revoked, not approved or published"),
    ],
)
def test_a_use_of_an_asset_not_approved_is_refused_and_recorded(
    status: str, reason: str, member: Any
) -> None:
    asset = asset_in(status)
    with pytest.raises(UseRefused) as caught:
        record_use(asset, "website", actor=member, now=NOW)
    assert str(caught.value) == f"asset {asset.pk} may not be used on website: {reason}"
    assert uses(asset) == [("website", "refused", ["quote"], reason)]


@pytest.mark.parametrize(
    ("kind", "channel", "shows", "granted", "missing"),
    [
        ("case_study", "press", [], ["name", "logo", "quote"], "press"),
        ("case_study", "logo_wall", [], ["name", "quote"], "logo"),
        ("video", "website", [], ["name", "quote"], "video"),
        ("quote", "website", [], ["name"], "quote"),
        ("quote", "website", ["name", "title"], ["quote", "name"], "title"),
        ("webinar", "event", [], ["name"], "video"),
    ],
)
def test_a_use_needing_a_scope_not_granted_is_refused(
    kind: str, channel: str, shows: list[str], granted: list[str], missing: str, member: Any
) -> None:
    asset = asset_in("published", kind=kind, scopes=granted)
    with pytest.raises(UseRefused) as caught:
        record_use(asset, channel, actor=member, now=NOW, shows=shows)
    assert caught.value.use.reason == f"the consent does not cover {missing}"
    assert AssetUse.objects.get(asset=asset).outcome == "refused"


def test_what_a_use_needs() -> None:
    asset = asset_in("published", kind="video")
    assert needs_of(asset, "press", ["title"]) == ["title", "video", "press"]
    assert needs_of(asset, "logo_wall") == ["name", "logo", "video"]
    with pytest.raises(ContentError, match="'billboard' is not a channel"):
        needs_of(asset, "billboard")
    with pytest.raises(ContentError, match="unknown consent scope"):
        needs_of(asset, "press", ["signature"])


def test_a_use_after_the_consent_ran_out_is_refused_before_the_job_expires_it() -> None:
    asset = asset_in("published", expires_at=NOW + dt.timedelta(days=1))
    later = NOW + dt.timedelta(days=2)
    with pytest.raises(UseRefused, match="its consent expired on 2026-06-02"):
        record_use(asset, "website", actor=None, now=later)


def test_granting_replaces_the_consent_in_force_and_keeps_history(member: Any) -> None:
    asset = case_study()
    grant_consent(
        asset, ["quote", "name"], expires_at=NOW + dt.timedelta(days=90), actor=member, now=NOW
    )
    later = NOW + dt.timedelta(days=1)
    grant_consent(
        asset, ["press", "logo"], expires_at=NOW + dt.timedelta(days=30), actor=member, now=later
    )
    fresh = Asset.objects.get(pk=asset.pk)
    assert fresh.scopes == ["logo", "press"]
    assert fresh.consent_expires_at == NOW + dt.timedelta(days=30)
    history = list(
        Consent.objects.filter(asset=asset).values_list("scopes", "recorded_by_id", "recorded_at")
    )
    assert history == [(["name", "quote"], member.pk, NOW), (["logo", "press"], member.pk, later)]


def test_bad_consent_is_refused_with_a_reason() -> None:
    asset = case_study()
    with pytest.raises(ContentError, match=r"unknown consent scope\(s\): email"):
        grant_consent(asset, ["email"], expires_at=NOW + dt.timedelta(days=1), actor=None, now=NOW)
    with pytest.raises(ContentError, match="must expire after it was granted"):
        grant_consent(asset, ["name"], expires_at=NOW, actor=None, now=NOW)
    with pytest.raises(ContentError, match="has no consent to renew"):
        renew_consent(asset, expires_at=NOW + dt.timedelta(days=1), actor=None, now=NOW)
    revoked = asset_in("revoked")
    with pytest.raises(ContentError, match="is revoked: it is final"):
        grant_consent(revoked, ["name"], expires_at=NOW + dt.timedelta(days=1), actor=None, now=NOW)
    assert Consent.objects.filter(asset=asset).count() == 0


def test_renewing_extends_the_expiry_and_resolves_the_reminder(member: Any) -> None:
    asset = asset_in("published", scopes=["quote", "title"], expires_at=NOW + dt.timedelta(days=10))
    Repermission.objects.create(asset=asset, expires_at=asset.consent_expires_at, raised_at=NOW)
    until = NOW + dt.timedelta(days=400)
    renew_consent(asset, expires_at=until, actor=member, now=NOW)
    fresh = Asset.objects.get(pk=asset.pk)
    assert (fresh.scopes, fresh.consent_expires_at) == (["title", "quote"], until)
    reminder = Repermission.objects.get(asset=asset)
    assert (reminder.resolved_at, reminder.resolution) == (NOW, "consent renewed until 2027-07-06")
    with pytest.raises(ContentError, match="must extend the expiry beyond 2027-07-06"):
        renew_consent(fresh, expires_at=until, actor=member, now=NOW)
