"""POST /api/asks/bulk, POST /api/asks/assign, /api/contacts/{id}/nominations, GET /api/search."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from advocacy.api.tests.conftest import customer
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.pipeline.models import Ask, AskEvent, AskType
from advocacy.signals.models import Signal
from advocacy.workqueue.tests.search_world import world

pytestmark = pytest.mark.django_db


def test_a_bulk_ask_opens_the_allowed_and_explains_the_others(api: Any, owner: Any) -> None:
    now = timezone.now()
    ann = customer("ann@ann.example", at=now)
    bob = customer("bob@bob.example", at=now, nps=5)
    cat = customer("cat@cat.example", at=now)
    quote = AskType.objects.get(code="testimonial_quote")
    assert open_asks([AskRequest(cat.pk, quote, "x")], now=now - dt.timedelta(days=3)).opened

    response = api.post(
        "/api/asks/bulk",
        {"contact_ids": [ann.pk, bob.pk, cat.pk], "ask_type": "review", "note": "QBR"},
    )

    assert response.status_code == 200
    body = response.json()
    opened = Ask.objects.get(contact=ann, ask_type__code="review")
    assert body["ask_type"] == "review"
    assert body["opened"] == [{"id": opened.pk, "contact_id": ann.pk, "status": "proposed"}]
    assert opened.owner_id == owner.pk
    assert [(r["email"], r["code"]) for r in body["refused"]] == [
        ("bob@bob.example", "nps_below_min, excluded_dissatisfied"),
        ("cat@cat.example", "cap_low_effort"),
    ]
    assert body["refused"][1]["reason"].startswith("tap cap: cat@cat.example may be asked")


def test_a_bulk_ask_names_unknown_contacts_and_types(api: Any) -> None:
    ann = customer("ann@ann.example", at=timezone.now())
    response = api.post("/api/asks/bulk", {"contact_ids": [ann.pk, 999999], "ask_type": "nope"})
    assert response.status_code == 422
    messages = [e["msg"] for e in response.json()["detail"]]
    assert messages == ["no contact with id 999999", "no active ask type 'nope'"]
    assert Ask.objects.count() == 0
    assert api.post("/api/asks/bulk", {"contact_ids": [], "ask_type": "review"}).status_code == 422


def test_bulk_asks_need_the_right_to_open_asks(make_client: Any, seller: Any) -> None:
    ann = customer("ann@ann.example", at=timezone.now())
    client = make_client("asks:write", user=seller)
    response = client.post("/api/asks/bulk", {"contact_ids": [ann.pk], "ask_type": "review"})
    assert response.status_code == 403
    assert Ask.objects.count() == 0


def test_assign_gives_every_ask_to_the_owner(api: Any, member: Any) -> None:
    now = timezone.now()
    review = AskType.objects.get(code="review")
    contacts = [customer(f"p{i}@p{i}.example", at=now) for i in range(3)]
    opened = open_asks([AskRequest(c.pk, review, "m") for c in contacts], now=now).opened
    ids = [a.pk for a in opened]
    untouched = Ask.objects.get(pk=ids[2]).owner_id  # as the routing left it

    response = api.post("/api/asks/assign", {"ask_ids": ids[:2], "owner": "member"})

    assert response.status_code == 200
    assert response.json() == {"ids": ids[:2], "owner": "member"}
    assert list(Ask.objects.order_by("pk").values_list("owner_id", flat=True)) == [
        member.pk, member.pk, untouched
    ]  # fmt: skip
    notes = AskEvent.objects.filter(ask_id__in=ids, note__startswith="assigned")
    assert sorted(notes.values_list("ask_id", "note")) == [
        (ids[0], "assigned to member"), (ids[1], "assigned to member")
    ]  # fmt: skip
    bad = api.post("/api/asks/assign", {"ask_ids": [999999], "owner": "nobody"})
    assert bad.status_code == 422
    assert [e["msg"] for e in bad.json()["detail"]] == [
        "no ask with id 999999", "no active user 'nobody'"
    ]  # fmt: skip


def test_nominate_through_the_api(make_client: Any, seller: Any, marketer: Any) -> None:
    ann = customer("ann@ann.example")
    client = make_client("signals:write", "read", user=seller)
    path = f"/api/contacts/{ann.pk}/nominations"
    when = "2026-06-01T10:00:00Z"

    response = client.post(path, {"reason": "Loved the launch", "as_of": when})

    assert response.status_code == 201
    signal = Signal.objects.get(kind="csm_nomination")
    assert response.json() == {
        "id": signal.pk,
        "contact_id": ann.pk,
        "reason": "Loved the launch",
        "nominated_by": "seller",
        "occurred_at": "2026-06-01T10:00:00Z",
        "created": True,
    }
    again = client.post(path, {"reason": "Loved the launch", "as_of": when})
    assert (again.status_code, again.json()["created"]) == (200, False)
    listed = client.get(path).json()
    assert [n["reason"] for n in listed] == ["Loved the launch"]
    assert client.post(path, {"reason": ""}).status_code == 422
    assert client.post("/api/contacts/999999/nominations", {"reason": "x"}).status_code == 404
    refused = make_client("signals:write", user=marketer).post(path, {"reason": "x"})
    assert refused.status_code == 403


def test_nominating_someone_who_opted_out_is_refused(api: Any) -> None:
    ann = customer("ann@ann.example", opted_out_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    response = api.post(f"/api/contacts/{ann.pk}/nominations", {"reason": "x"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == (
        "ann@ann.example opted out on 01 May 2026; nobody may ask them"
    )


def test_search_through_the_api(make_client: Any, seller: Any) -> None:
    w = world(seller)
    client = make_client("read", user=seller)

    body = client.get("/api/search", {"q": "Ada Lov"}).json()

    assert body["query"] == "ada lov"
    assert body["groups"]["contacts"] == {
        "results": [{"kind": "contact", "id": w["ada"].pk, "title": "Ada Lovelace",
                     "detail": "ada@acme.example · Acme Robotics"}],
        "more": False,
    }  # fmt: skip
    assert sorted(body["groups"]) == ["accounts", "asks", "contacts", "content", "requests"]
    assert client.get("/api/search", {"q": "x" * 101}).status_code == 422
    assert client.get("/api/search", {"q": "ada", "limit": 0}).status_code == 422
