"""/api/referrals: list, show, create for an advocate, move; refusals are 409 and write nothing."""

from collections.abc import Callable
from typing import Any

import pytest

from advocacy.referrals.models import Referral
from advocacy.referrals.tests.world import advocate, refer
from advocacy.rewards.models import Entry

pytestmark = pytest.mark.django_db
AT = "2026-06-02T12:00:00Z"


def test_create_move_list_and_show(make_client: Callable[..., Any], seller: Any) -> None:
    api = make_client("read", "referrals:write", user=seller)
    ada = advocate()
    made = api.post(
        "/api/referrals",
        {"advocate_id": ada.pk, "name": "Grace", "email": "Grace@Navy.example",
         "company": "Navy", "as_of": AT},
    )  # fmt: skip
    assert made.status_code == 201
    body = made.json()
    assert (body["prospect_email"], body["status"], body["deal"]) == (
        "grace@navy.example",
        "submitted",
        None,
    )
    pk = body["id"]
    booked = api.post(f"/api/referrals/{pk}/moves", {"to": "meeting_booked", "as_of": AT})
    assert (booked.status_code, booked.json()["status"]) == (200, "meeting_booked")
    won = api.post(f"/api/referrals/{pk}/moves", {"to": "qualified", "deal_cents": 100_000_00})
    assert won.json()["deal"] == "100000.00"
    api.post(f"/api/referrals/{pk}/moves", {"to": "closed_won"})
    assert sorted(Entry.objects.values_list("amount_cents", flat=True)) == [100_00, 5_000_00]
    listed = api.get("/api/referrals", {"status": "closed_won"}).json()
    assert [r["id"] for r in listed["items"]] == [pk]
    then = api.get("/api/referrals", {"as_of": AT}).json()
    assert [r["status"] for r in then["items"]] == ["meeting_booked"]
    shown = api.get(f"/api/referrals/{pk}").json()
    assert [(e["to_status"], e["by"]) for e in shown["events"]] == [
        ("submitted", "seller"),
        ("meeting_booked", "seller"),
        ("qualified", "seller"),
        ("closed_won", "seller"),
    ]


def test_refusals_are_409_with_the_reason_and_write_nothing(api: Any) -> None:
    made = refer(advocate(), 1)
    bad = api.post(f"/api/referrals/{made.pk}/moves", {"to": "closed_won"})
    assert (bad.status_code, bad.json()["detail"]) == (
        409,
        f"referral {made.pk} is submitted: it cannot move to closed won "
        "(it may go to meeting booked, closed lost)",
    )
    other = advocate()
    dup = api.post(
        "/api/referrals",
        {"advocate_id": other.pk, "name": "G", "email": made.prospect_email, "company": "P"},
    )
    assert dup.status_code == 409
    customer = api.post(
        "/api/referrals",
        {"advocate_id": other.pk, "name": "A", "email": made.advocate.email, "company": "A"},
    )
    assert customer.json()["detail"] == (
        f"{made.advocate.email} is already one of our customers' contacts: not a referral"
    )
    assert api.get("/api/referrals/999").status_code == 404
    assert (Referral.objects.count(), Entry.objects.count()) == (1, 0)


def test_roles_and_scopes_are_checked(
    make_client: Callable[..., Any], django_user_model: Any
) -> None:
    made = refer(advocate(), 1)
    marketer = django_user_model.objects.create_user("mk", "mk@example.com", "x", role="marketing")
    as_marketing = make_client("read", "referrals:write", user=marketer)
    refused = as_marketing.post(f"/api/referrals/{made.pk}/moves", {"to": "meeting_booked"})
    assert refused.status_code == 403
    assert "may not move a referral" in refused.json()["detail"]
    filed = as_marketing.post(
        "/api/referrals",
        {"advocate_id": made.advocate_id, "name": "B", "email": "b@b.example", "company": "B"},
    )
    assert filed.status_code == 201
    read_only = make_client("read")
    assert read_only.post(f"/api/referrals/{made.pk}/moves", {"to": "closed_lost"}).status_code == (
        403
    )
    assert Entry.objects.count() == 0


def test_an_advocates_link(api: Any, settings: Any) -> None:
    ada = advocate()
    got = api.get(f"/api/referrals/links/{ada.pk}").json()
    assert got["link"] == f"{settings.SITE_URL}/r/{got['code']}/"
    assert api.get(f"/api/referrals/links/{ada.pk}").json() == got
