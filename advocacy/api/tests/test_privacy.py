"""/api/contacts/{id}/export and /erase (admins, `privacy:write`); an erased person stays out."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from advocacy.api.tests.conftest import ApiClient
from advocacy.customers.models import Contact, Suppression
from advocacy.customers.suppression import digest_email
from advocacy.people.models import AuditEntry, Scope
from advocacy.privacy.tests.world import NOW, World, build

pytestmark = pytest.mark.django_db
REASON = "erased on request on 2026-06-01; not re-imported"
REFUSED = f"{REASON}: expected a person who was not erased, found 'ann@acme.example'"
NOT_FOR_CS = "member (Customer success) may not export or erase a person's data: that is for Admin"


@pytest.fixture
def world(owner: Any) -> Iterator[World]:
    with time_machine.travel(NOW, tick=False):
        yield build(owner)


@pytest.fixture
def admin_api(make_client: Callable[..., ApiClient], owner: Any) -> ApiClient:
    return make_client(Scope.PRIVACY_WRITE, Scope.CUSTOMERS_WRITE, Scope.SIGNALS_WRITE, user=owner)


def session(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_admin_exports_then_erases(world: World, admin_api: ApiClient) -> None:
    ann = world.ann
    exported = admin_api.get(f"/api/contacts/{ann.pk}/export")
    assert exported.status_code == 200
    body = exported.json()
    assert (body["format"], body["version"], body["contact"]["email"]) == (
        "advocacy.person-export", 1, "ann@acme.example"
    )  # fmt: skip
    assert [a["ask_type"] for a in body["asks"]] == ["review", "reference_call"]

    erased = admin_api.post(f"/api/contacts/{ann.pk}/erase", {"reason": "ticket 4412"})

    assert erased.status_code == 200
    done = erased.json()
    assert (done["contact_id"], done["email_hash"], done["requests_reopened"]) == (
        ann.pk, digest_email("ann@acme.example"), [world.request.pk]
    )  # fmt: skip
    assert done["deleted"]["customers.Contact"] == 1
    assert "ann@acme.example" not in erased.content.decode()
    assert not Contact.objects.filter(pk=ann.pk).exists()
    assert Suppression.objects.count() == 3
    entries = AuditEntry.objects.filter(action__startswith="privacy.").order_by("id")
    assert list(entries.values_list("action", "via", "actor_name")) == [
        ("privacy.export", "api", "owner"),
        ("privacy.erase", "api", "owner"),
    ]
    assert admin_api.get(f"/api/contacts/{ann.pk}/export").status_code == 404
    gone = admin_api.post(f"/api/contacts/{ann.pk}/erase", {"reason": "again"})
    assert (gone.status_code, gone.json()) == (
        404,
        {"detail": "No Contact matches the given query."},
    )


def test_a_non_admin_session_is_refused_403(world: World, member: Any) -> None:
    client = session(member)
    exported = client.get(f"/api/contacts/{world.ann.pk}/export")
    assert (exported.status_code, exported.json()) == (403, {"detail": NOT_FOR_CS})
    erased = client.post(
        f"/api/contacts/{world.ann.pk}/erase",
        json.dumps({"reason": "r"}),
        content_type="application/json",
    )
    assert (erased.status_code, erased.json()) == (403, {"detail": NOT_FOR_CS})
    assert Contact.objects.filter(pk=world.ann.pk).exists()
    assert not AuditEntry.objects.filter(action__startswith="privacy.").exists()


def test_an_admin_session_may(world: World, owner: Any) -> None:
    response = session(owner).get(f"/api/contacts/{world.ann.pk}/export")
    assert (response.status_code, response.json()["contact"]["id"]) == (200, world.ann.pk)


def test_a_key_needs_the_scope_and_an_admin_owner(
    world: World, make_client: Callable[..., ApiClient], owner: Any, member: Any
) -> None:
    reader = make_client(Scope.READ, user=owner)
    response = reader.get(f"/api/contacts/{world.ann.pk}/export")
    assert (response.status_code, response.json()) == (
        403, {"detail": "missing scope 'privacy:write': this API key has read"}
    )  # fmt: skip
    members_key = make_client(Scope.PRIVACY_WRITE, user=member)  # never beyond its owner
    response = members_key.post(f"/api/contacts/{world.ann.pk}/erase", {"reason": "r"})
    assert (response.status_code, response.json()) == (403, {"detail": NOT_FOR_CS})


def test_a_reason_is_required(world: World, admin_api: ApiClient) -> None:
    response = admin_api.post(f"/api/contacts/{world.ann.pk}/erase", {"reason": "   "})
    assert response.status_code == 422
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [
        (["body", "reason"], "string_too_short")
    ]
    assert Contact.objects.filter(pk=world.ann.pk).exists()


def test_after_erasure_the_api_never_recreates_her(world: World, admin_api: ApiClient) -> None:
    admin_api.post(f"/api/contacts/{world.ann.pk}/erase", {"reason": "ticket 4412"})
    ann = {"email": "ANN@acme.example", "account": {"domain": "acme.example"}}

    one = admin_api.post("/api/contacts", ann)
    assert one.status_code == 422
    assert [(e["field"], e["msg"], e["type"]) for e in one.json()["detail"]] == [
        ("email", REFUSED, "rejected")
    ]
    carol = {"email": "carol@acme.example", "account": {"domain": "acme.example"}}
    batch = admin_api.post("/api/contacts/batch", {"items": [carol, ann]})
    assert batch.status_code == 422  # all or nothing, as every batch: she is item 1
    assert [(e["item"], e["field"], e["msg"]) for e in batch.json()["detail"]] == [
        (1, "email", REFUSED)
    ]
    assert admin_api.post("/api/contacts/batch", {"items": [carol]}).status_code == 201
    signal = {
        "source": "api",
        "key": "n1",
        "kind": "nps",
        "value": 9,
        "occurred_at": "2026-05-31T10:00:00Z",
        "contact": {"email": "ann@acme.example"},
    }
    refused = admin_api.post("/api/signals", signal)
    assert refused.status_code == 422
    assert [(e["field"], e["msg"]) for e in refused.json()["detail"]] == [("contact", REFUSED)]
    assert sorted(Contact.objects.values_list("email", flat=True)) == [
        "bob@acme.example",
        "carol@acme.example",
    ]
