"""The approval state machine: only the declared moves succeed, each one an event."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from advocacy.content.models import TRANSITIONS, Asset, AssetEvent, AssetStatus
from advocacy.content.services import (
    ContentError,
    InvalidAssetTransition,
    allowed_moves,
    move_asset,
)
from advocacy.content.tests.conftest import NOW, asset_in, case_study

pytestmark = pytest.mark.django_db

PAIRS = list(itertools.product(AssetStatus.values, AssetStatus.values))


def test_the_table_declares_every_state_and_only_states() -> None:
    assert set(TRANSITIONS) == set(AssetStatus.values)
    assert all(targets <= set(AssetStatus.values) for targets in TRANSITIONS.values())
    assert allowed_moves("advocate_review") == ["draft", "approved", "revoked"]
    assert allowed_moves("published") == ["expired", "revoked"]
    assert allowed_moves("revoked") == []


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_every_pair_from_the_service(source: str, target: str, member: Any) -> None:
    asset = asset_in(source)
    if target in TRANSITIONS[source]:
        move_asset(asset, target, actor=member, now=NOW, note="why")
        assert Asset.objects.get(pk=asset.pk).status == target
        event = AssetEvent.objects.filter(asset=asset).last()
        assert event is not None
        assert (event.from_status, event.to_status, event.actor_id, event.note, event.at) == (
            source,
            target,
            member.pk,
            "why",
            NOW,
        )
    else:
        with pytest.raises(InvalidAssetTransition) as caught:
            move_asset(asset, target, actor=member, now=NOW)
        assert str(caught.value).startswith(
            f"asset {asset.pk}: cannot move from {source} to {target}"
        )
        assert Asset.objects.get(pk=asset.pk).status == source
        assert AssetEvent.objects.filter(asset=asset).count() == 1  # only its creation


def test_a_new_asset_is_a_draft_with_its_creation_recorded(member: Any) -> None:
    asset = case_study(actor=member)
    assert asset.status == "draft"
    events = list(asset.events.values_list("from_status", "to_status", "actor_id", "note"))
    assert events == [("", "draft", member.pk, "created")]


def test_a_stale_copy_cannot_overwrite_a_concurrent_move(member: Any) -> None:
    asset = asset_in("approved")
    stale = Asset.objects.get(pk=asset.pk)
    move_asset(asset, "revoked", actor=member, now=NOW)
    with pytest.raises(InvalidAssetTransition) as caught:
        move_asset(stale, "published", actor=member, now=NOW)
    assert "it moved from approved to revoked meanwhile" in str(caught.value)
    assert Asset.objects.get(pk=asset.pk).status == "revoked"


def test_publishing_needs_a_consent_in_force(member: Any) -> None:
    asset = case_study()
    Asset.objects.filter(pk=asset.pk).update(status="approved")
    asset.status = "approved"
    with pytest.raises(ContentError, match="without a consent in force"):
        move_asset(asset, "published", actor=member, now=NOW)
    lapsed = asset_in("approved", expires_at=NOW - dt.timedelta(days=1))
    with pytest.raises(ContentError, match="without a consent in force"):
        move_asset(lapsed, "published", actor=member, now=NOW)
    assert Asset.objects.get(pk=asset.pk).status == "approved"


def test_an_unknown_state_is_named() -> None:
    asset = asset_in("draft")
    with pytest.raises(InvalidAssetTransition, match="'archived' is not a state of an asset"):
        move_asset(asset, "archived", actor=None, now=NOW)


def test_bad_input_to_create_is_named(member: Any) -> None:
    from advocacy.content.services import create_asset
    from advocacy.content.tests.conftest import advocate

    ada = advocate()
    with pytest.raises(ContentError, match="'podcast' is not a kind of asset"):
        create_asset(kind="podcast", title="t", contact=ada, actor=member, now=NOW)
    with pytest.raises(ContentError, match="url must be an http"):
        create_asset(kind="review", title="t", contact=ada, actor=member, now=NOW, url="ftp://x")
    with pytest.raises(ContentError, match="an asset needs a title"):
        create_asset(kind="review", title="  ", contact=ada, actor=member, now=NOW)
    assert Asset.objects.count() == 0


def test_an_asset_from_an_ask_must_be_of_its_contact(member: Any) -> None:
    from advocacy.content.services import create_asset
    from advocacy.content.tests.conftest import advocate
    from advocacy.engine.asks import AskRequest, open_asks
    from advocacy.pipeline.models import AskType

    ada, bob = advocate(), advocate("bob@acme.example", first_name="Bob")
    request = AskRequest(ada.pk, AskType.objects.get(code="case_study"), "manual:1")
    ask = open_asks([request], now=NOW).opened[0]
    with pytest.raises(ContentError, match=f"ask {ask.pk} was made of another contact"):
        create_asset(kind="case_study", title="t", contact=bob, ask=ask, actor=member, now=NOW)
    asset = create_asset(kind="case_study", title="t", contact=ada, ask=ask, actor=member, now=NOW)
    assert (asset.ask, asset.account) == (ask, ada.account)
    assert asset.events.get().note == f"from ask {ask.pk}"


def test_only_a_draft_is_edited_and_the_edit_is_an_event(member: Any) -> None:
    from advocacy.content.services import edit_asset

    asset = case_study()
    edit_asset(
        asset,
        actor=member,
        now=NOW,
        note="advocate's wording",
        quote="Better words.",
        results=[" 50% faster ", ""],
        title="Acme Robotics",
    )
    fresh = Asset.objects.get(pk=asset.pk)
    assert (fresh.quote, fresh.results) == ("Better words.", ["50% faster"])
    event = fresh.events.last()
    assert event is not None
    assert (event.from_status, event.to_status, event.actor_id, event.note) == (
        "draft",
        "draft",
        member.pk,
        "edited title, results, quote: advocate's wording",
    )
    edit_asset(fresh, actor=member, now=NOW, quote="Better words.")  # nothing changes
    assert fresh.events.count() == 2
    reviewed = asset_in("advocate_review")
    with pytest.raises(ContentError, match="is advocate_review: only a draft can be edited"):
        edit_asset(reviewed, actor=member, now=NOW, body="new")
    with pytest.raises(ContentError, match="unknown fields: status"):
        edit_asset(fresh, actor=member, now=NOW, status="published")
    assert Asset.objects.get(pk=reviewed.pk).body == "It changed how we work."
