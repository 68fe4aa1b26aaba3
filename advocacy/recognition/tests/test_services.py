"""The champions group from the tier as of a moment; the badge issued once, revoked, naming
the advocate only while consented; featured customers showing only the consented fields."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from advocacy.content.models import AssetStatus
from advocacy.content.services import grant_consent, move_asset
from advocacy.content.tests.conftest import advocate
from advocacy.recognition import services
from advocacy.recognition.models import Badge
from advocacy.recognition.services import RecognitionError
from advocacy.recognition.svg import badge_png, badge_svg
from advocacy.recognition.tests.world import NOW, champion, consented

pytestmark = pytest.mark.django_db


def test_the_champions_group_is_the_champion_tier_and_above_as_of_a_moment() -> None:
    ada = champion("ada@acme.example", activities=3)
    bob = champion("bob@acme.example", first_name="Bob", last_name="Byte")
    advocate("cy@acme.example", first_name="Cy")  # no activity: no tier
    got = services.champions(NOW)
    assert [(c.email, c.tier) for c in got] == [
        ("bob@acme.example", "Champion"),
        ("ada@acme.example", "Advocate"),
    ]
    # Before their activities, nobody was; the next quarter starts empty again.
    assert services.champions(NOW - dt.timedelta(days=2)) == []
    assert services.champions(dt.datetime(2026, 7, 2, tzinfo=dt.UTC)) == []
    assert ada.pk in {c.contact_id for c in got} and bob.pk in {c.contact_id for c in got}


def test_a_higher_champions_tier_narrows_the_group_and_an_unknown_one_is_named() -> None:
    champion("ada@acme.example", activities=3)
    champion("bob@acme.example", first_name="Bob")
    with override_settings(CHAMPIONS_TIER="advocate"):
        assert [c.email for c in services.champions(NOW)] == ["ada@acme.example"]
    with override_settings(CHAMPIONS_TIER="gold"), pytest.raises(RecognitionError) as exc:
        services.champions(NOW)
    assert str(exc.value) == (
        "ADVOCACY_CHAMPIONS_TIER: 'gold' is not a tier of Advocate tiers"
        " (champion, advocate, ambassador)"
    )


def test_the_group_costs_one_query_for_any_number(django_assert_num_queries) -> None:
    for i in range(5):
        champion(f"p{i}@acme.example")
    with django_assert_num_queries(1):
        assert len(services.champions(NOW)) == 5


def test_a_badge_is_issued_once_a_year_and_only_to_a_champion() -> None:
    ada = champion("ada@acme.example")
    first = services.issue_badge(ada, actor=None, now=NOW)
    again = services.issue_badge(ada, actor=None, now=NOW + dt.timedelta(hours=1))
    assert again.pk == first.pk and (first.tier, first.year) == ("Champion", 2026)
    assert len(first.token) >= 32
    cy = advocate("cy@acme.example", first_name="Cy")
    with pytest.raises(RecognitionError) as exc:
        services.issue_badge(cy, actor=None, now=NOW)
    assert str(exc.value) == (
        "cy@acme.example is not in the champions group: the badge needs the Champion tier or above"
    )
    assert Badge.objects.count() == 1


def test_a_revoked_badge_closes_its_address_and_a_new_one_has_another() -> None:
    ada = champion("ada@acme.example")
    badge = services.issue_badge(ada, actor=None, now=NOW)
    services.revoke_badge(badge, actor=None, now=NOW)
    assert services.live_badge(badge.token) is None
    with pytest.raises(RecognitionError, match="already revoked"):
        services.revoke_badge(badge, actor=None, now=NOW)
    fresh = services.issue_badge(ada, actor=None, now=NOW)
    assert fresh.pk != badge.pk and fresh.token != badge.token
    assert services.live_badge(fresh.token) == fresh


def test_the_badge_names_the_advocate_only_while_consent_allows() -> None:
    ada = champion("ada@acme.example")
    badge = services.issue_badge(ada, actor=None, now=NOW)
    view = services.badge_view(badge, NOW)
    assert (view.name, view.title) == ("", "A customer: Customer Champion 2026")
    asset = consented(ada, ["name", "quote"])
    view = services.badge_view(badge, NOW)
    assert (view.name, view.title) == ("Ada Lovelace", "Ada Lovelace: Customer Champion 2026")
    svg = badge_svg(view, "Acme <advocates>")
    assert ">Ada Lovelace</text>" in svg and "Acme &lt;advocates&gt;" in svg
    assert "Champion · 2026" in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    grant_consent(asset, ["quote"], expires_at=NOW + dt.timedelta(days=30), actor=None, now=NOW)
    assert services.badge_view(badge, NOW).name == ""
    assert "Ada" not in badge_svg(services.badge_view(badge, NOW), "Acme")


def test_featured_shows_only_the_consented_fields() -> None:
    ada = champion("ada@acme.example")
    consented(ada, ["name", "title", "quote", "logo"])
    bob = advocate("bob@globex.example", first_name="Bob", last_name="Byte", title="CTO")
    consented(bob, ["name"])
    consented(advocate("cy@initech.example", first_name="Cy"), ["quote", "logo"])  # no name
    got = [f.as_dict() for f in services.featured(NOW)]
    assert got == [
        {"account": "Acme Robotics", "name": "Bob Byte", "title": "", "logo": False,
         "quote": ""},
        {"account": "Acme Robotics", "name": "Ada Lovelace", "title": "VP Operations",
         "logo": True, "quote": "It changed how we work."},
    ]  # fmt: skip


def test_withdrawn_consent_removes_a_featured_customer_at_once() -> None:
    ada = advocate("ada@acme.example")
    asset = consented(ada, ["name", "logo"])
    assert [f.name for f in services.featured(NOW)] == ["Ada Lovelace"]
    grant_consent(asset, ["logo"], expires_at=NOW + dt.timedelta(days=30), actor=None, now=NOW)
    assert services.featured(NOW) == []
    other = consented(ada, ["name"])
    assert [f.name for f in services.featured(NOW)] == ["Ada Lovelace"]
    move_asset(other, AssetStatus.REVOKED, actor=None, now=NOW)
    assert services.featured(NOW) == []


def test_featured_leaves_out_lapsed_consent_an_nda_and_opted_out_people() -> None:
    ada = advocate("ada@acme.example")
    consented(ada, ["name"], expires_at=NOW - dt.timedelta(seconds=1))
    bob = advocate("bob@globex.example", first_name="Bob")
    consented(bob, ["name"])
    bob.account.nda = True
    bob.account.save()
    cy = advocate("cy@initech.example", first_name="Cy", opted_out_at=NOW)
    consented(cy, ["name"])
    assert services.featured(NOW) == []


def test_featured_is_one_query(django_assert_num_queries) -> None:
    for i in range(4):
        consented(advocate(f"p{i}@acme.example"), ["name", "quote", "title"])
    with django_assert_num_queries(1):
        assert len(services.featured(NOW)) == 4


def test_a_persons_badges_are_in_their_export_and_go_with_their_erasure() -> None:
    from advocacy.recognition.personal import export_badges

    ada = champion("ada@acme.example")
    badge = services.issue_badge(ada, actor=None, now=NOW)
    assert export_badges(ada) == [
        {"tier": "Champion", "year": 2026, "issued_at": NOW.isoformat(), "revoked_at": None}
    ]
    ada.delete()
    assert services.live_badge(badge.token) is None


def test_the_preview_is_a_png_of_the_badge_size() -> None:
    import io

    from PIL import Image

    ada = champion("ada@acme.example")
    consented(ada, ["name"])
    view = services.badge_view(services.issue_badge(ada, actor=None, now=NOW), NOW)
    image = Image.open(io.BytesIO(badge_png(view, "Café advocates")))
    assert (image.format, image.size) == ("PNG", (1200, 630))
