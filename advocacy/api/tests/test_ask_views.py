"""GET /api/asks with the board's filters, and /api/asks/views: one's own saved views."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from advocacy.api.tests.conftest import ApiClient
from advocacy.customers.models import Account, Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.people.models import Scope
from advocacy.pipeline.board import SavedView
from advocacy.pipeline.models import Ask, AskType

pytestmark = pytest.mark.django_db


def put(api: ApiClient, path: str, body: Any) -> Any:
    return api.client.put(
        path, json.dumps(body), content_type="application/json", headers=api._headers(None)
    )


def delete(api: ApiClient, path: str) -> Any:
    return api.client.delete(path, headers=api._headers(None))


@pytest.fixture
def three(owner: Any, seller: Any) -> tuple[Ask, Ask, Ask]:
    """Asks overdue (the owner's), due in 3 days (the seller's, by sales) and due later."""
    account = Account.objects.create(name="Acme")
    review = AskType.objects.get(code="review")
    now = timezone.now()
    made = []
    for i, (days, who, role) in enumerate(
        [(-1, owner, "cs"), (3, seller, "sales"), (30, None, "")]
    ):
        contact = Contact.objects.create(account=account, email=f"c{i}@acme.example")
        request = AskRequest(
            contact.pk,
            review,
            f"m{i}",
            status="sent",
            owner_id=who.pk if who else None,
            owner_role=role,
            due_at=now + dt.timedelta(days=days),
        )
        made.append(open_asks([request], now=now).opened[0])
        Ask.objects.filter(pk=made[-1].pk).update(owner_role=role)  # not the routing's
    return made[0], made[1], made[2]


def ids(api: ApiClient, **params: Any) -> list[int]:
    response = api.get("/api/asks", params)
    assert response.status_code == 200, response.json()
    return sorted(a["id"] for a in response.json()["items"])


def test_list_filters_by_owner_role_and_due(api: ApiClient, three: tuple[Ask, Ask, Ask]) -> None:
    overdue, week, later = three
    assert ids(api, owner="seller") == [week.pk]
    assert ids(api, owner_role="cs") == [overdue.pk]
    assert ids(api, due="overdue") == [overdue.pk]
    assert ids(api, due="week") == [week.pk]
    assert ids(api, due="later") == [later.pk]
    assert ids(api, owner="owner", due="later") == []
    unknown = api.get("/api/asks", {"owner": "nobody"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == [
        {
            "loc": ["body", "owner"],
            "msg": "owner: no user named 'nobody'",
            "type": "rejected",
            "item": None,
            "field": "owner",
        }
    ]
    assert api.get("/api/asks", {"due": "someday"}).status_code == 422


def test_save_list_use_and_remove_views(api: ApiClient, three: tuple[Ask, Ask, Ask]) -> None:
    overdue, week, later = three
    saved = put(api, "/api/asks/views/Mine late", {"filters": {"mine": True, "due": "overdue"}})
    assert saved.status_code == 200
    body = saved.json()
    assert (body["name"], body["filters"]) == ("Mine late", {"due": "overdue", "mine": True})
    put(api, "/api/asks/views/Sales", {"filters": {"role": "sales"}})
    listed = api.get("/api/asks/views").json()
    assert [(v["name"], v["filters"]) for v in listed] == [
        ("Mine late", {"due": "overdue", "mine": True}),
        ("Sales", {"role": "sales"}),
    ]
    assert ids(api, view="Mine late") == [overdue.pk]
    assert ids(api, view="Sales") == [week.pk]
    assert ids(api, view="Sales", due="later") == []
    again = put(api, "/api/asks/views/Sales", {"filters": {"due": "later"}})
    assert again.json()["filters"] == {"due": "later"}
    assert ids(api, view="Sales") == [later.pk]
    assert delete(api, "/api/asks/views/Sales").status_code == 204
    gone = delete(api, "/api/asks/views/Sales")
    assert gone.status_code == 404
    assert gone.json() == {"detail": "no saved view named 'Sales'; saved views: Mine late"}
    missing = api.get("/api/asks", {"view": "Sales"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["msg"] == (
        "no saved view named 'Sales'; saved views: Mine late"
    )


def test_bad_filters_are_refused(api: ApiClient, three: Any) -> None:
    bad_owner = put(api, "/api/asks/views/X", {"filters": {"owner": "nobody"}})
    assert bad_owner.status_code == 422
    assert bad_owner.json()["detail"][0]["msg"] == "owner: no user named 'nobody'"
    bad_due = put(api, "/api/asks/views/X", {"filters": {"due": "someday"}})
    assert bad_due.status_code == 422
    assert not SavedView.objects.exists()


def test_views_are_the_key_holders_own(
    make_client: Callable[..., ApiClient], three: Any, owner: Any, viewer: Any
) -> None:
    admin = make_client(Scope.READ, Scope.ME_WRITE, user=owner)
    readonly = make_client(Scope.READ, Scope.ME_WRITE, user=viewer)
    assert put(admin, "/api/asks/views/Late", {"filters": {"due": "overdue"}}).status_code == 200
    assert readonly.get("/api/asks/views").json() == []
    assert delete(readonly, "/api/asks/views/Late").status_code == 404
    assert put(readonly, "/api/asks/views/Mine", {"filters": {"mine": True}}).status_code == 200
    assert sorted(SavedView.objects.values_list("user__username", "name")) == [
        ("owner", "Late"),
        ("viewer", "Mine"),
    ]


def test_views_are_read_with_read_and_changed_with_me_write(
    make_client: Callable[..., ApiClient], three: Any
) -> None:
    writer = make_client(Scope.ASKS_WRITE)
    assert writer.get("/api/asks/views").status_code == 403
    assert put(writer, "/api/asks/views/Late", {"filters": {}}).status_code == 403
    reader = make_client(Scope.READ)
    assert reader.get("/api/asks/views").status_code == 200
    refused = put(reader, "/api/asks/views/Late", {"filters": {}})
    assert refused.status_code == 403
    assert "me:write" in refused.json()["detail"]
    assert delete(reader, "/api/asks/views/Late").status_code == 403
    assert not SavedView.objects.exists()
