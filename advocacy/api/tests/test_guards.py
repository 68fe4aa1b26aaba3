"""/api/asks/guard, pause, resume, replacements, reassign; /api/agreements; opt-out."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from advocacy.api.tests.conftest import ApiClient
from advocacy.customers.models import Contact
from advocacy.engine.plays import load_playbook
from advocacy.engine.tests.guard_world import NOW, account, ask, person, promoter, signal
from advocacy.pipeline.agreements import Agreement
from advocacy.pipeline.models import Ask

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    load_playbook(now=NOW)
    with time_machine.travel(NOW, tick=False):
        yield


def patch(api: ApiClient, path: str, body: Any) -> Any:
    return api.client.patch(
        path, json.dumps(body), content_type="application/json", headers=api._headers(None)
    )


def test_pause_resume_and_the_paused_filter(api: ApiClient, member: Any) -> None:
    study = ask(person(account(owner=member), "ada"))
    paused = api.post(f"/api/asks/{study.pk}/pause", {"reason": "legal review"})
    assert paused.status_code == 200
    body = paused.json()
    assert (body["status"], body["paused_reason"], body["paused_by"]) == (
        "sent",
        "legal review",
        "",
    )
    assert body["events"][-1]["note"] == "paused: legal review"
    assert [a["id"] for a in api.get("/api/asks", {"paused": "true"}).json()["items"]] == [study.pk]
    assert api.get("/api/asks", {"paused": "false"}).json()["items"] == []
    moved = api.post(f"/api/asks/{study.pk}/transitions", {"to": "accepted"})
    assert moved.status_code == 409
    assert moved.json()["detail"].startswith(f"ask {study.pk} is paused (legal review)")
    again = api.post(f"/api/asks/{study.pk}/pause", {"reason": "twice"})
    assert (again.status_code, again.json()["detail"]) == (
        409,
        f"ask {study.pk} is already paused (legal review)",
    )
    assert api.post(f"/api/asks/{study.pk}/pause", {"reason": ""}).status_code == 422
    resumed = api.post(f"/api/asks/{study.pk}/resume", {"note": "cleared"})
    assert (resumed.status_code, resumed.json()["paused_at"]) == (200, None)
    assert api.post(f"/api/asks/{study.pk}/resume", {}).status_code == 409


def test_guard_replacements_and_reassign(api: ApiClient, member: Any) -> None:
    acme = account(owner=member)
    ada, bob = person(acme, "ada"), person(acme, "bob")
    promoter(bob)
    signal(acme, "health_score", value=90, at=NOW - dt.timedelta(days=3))
    study = ask(ada)
    Contact.objects.filter(pk=ada.pk).update(left_company_at=NOW - dt.timedelta(hours=1))
    report = api.post("/api/asks/guard", {})
    assert report.status_code == 200
    assert report.json()["paused"]["left_company"] == [study.pk]
    found = api.get(f"/api/asks/{study.pk}/replacements").json()
    assert [(c["email"], c["rung"]) for c in found] == [("bob@acme.example", "satisfied")]
    stranger = person(account("Globex"), "gil")
    refused = api.post(f"/api/asks/{study.pk}/reassign", {"contact_id": stranger.pk})
    assert (refused.status_code, refused.json()["detail"]) == (
        422,
        "gil@globex.example is not at Acme: a replacement comes from the same account",
    )
    done = api.post(f"/api/asks/{study.pk}/reassign", {"contact_id": bob.pk, "note": "moved"})
    assert done.status_code == 200
    body = done.json()
    assert (body["cancelled"]["status"], body["opened"]["contact_id"]) == ("cancelled", bob.pk)
    assert body["opened"]["moment"] == f"replaces:{study.pk}"
    closed = api.post(f"/api/asks/{study.pk}/reassign", {"contact_id": bob.pk})
    assert closed.status_code == 409
    assert api.post("/api/asks/guard", {"as_of": "2026-06-02T00:00:00"}).status_code == 422


def test_a_moment_with_any_offset_iso_allows_is_taken_as_utc(api: ApiClient) -> None:
    # PostgreSQL refuses offsets beyond ±15:59; the schema hands the services UTC instead.
    assert api.post("/api/asks/guard", {"as_of": "2026-06-02T10:00:00+22:26"}).status_code == 200
    far = api.post("/api/asks/guard", {"as_of": "0934-07-13T23:41:48.5820+22:26"})
    assert (far.status_code, "expected a moment from 1970 to 2099" in far.text) == (422, True)
    early = api.post("/api/asks/guard", {"as_of": "0001-01-01T00:00:00+05:00"})
    assert (early.status_code, "has no moment in UTC" in early.text) == (422, True)


def test_the_guard_writes_need_the_asks_scope(
    make_client: Callable[..., ApiClient], member: Any
) -> None:
    study = ask(person(account(owner=member), "ada"))
    reader = make_client("read")
    assert reader.post(f"/api/asks/{study.pk}/pause", {"reason": "x"}).status_code == 403
    assert reader.post("/api/asks/guard", {}).status_code == 403
    assert reader.get(f"/api/asks/{study.pk}/replacements").status_code == 200


def test_agreements_crud(api: ApiClient, member: Any) -> None:
    ada = person(account(owner=member), "ada")
    created = api.post(
        "/api/agreements",
        {
            "contact_id": ada.pk,
            "scope": ["case_study", "reference_call"],
            "benefits": "Early access",
            "starts_on": "2026-06-01",
            "ends_on": "2027-05-31",
        },
    )
    assert created.status_code == 201
    a = created.json()
    assert (a["status"], a["email"], a["scope"], a["signed_on"]) == (
        "draft",
        "ada@acme.example",
        ["case_study", "reference_call"],
        None,
    )
    dup = api.post(
        "/api/agreements", {"contact_id": ada.pk, "scope": [], "starts_on": "2026-06-01"}
    )
    assert dup.status_code == 409
    assert dup.json()["detail"].startswith("ada@acme.example already has a current agreement")
    signed = patch(api, f"/api/agreements/{a['id']}", {"signed_on": "2026-06-01"})
    assert (signed.status_code, signed.json()["status"]) == (200, "active")
    bad = patch(api, f"/api/agreements/{a['id']}", {"scope": ["nope"]})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "scope"
    assert bad.json()["detail"][0]["msg"] == "unknown ask type(s) in scope: nope"
    listed = api.get("/api/agreements", {"contact_id": ada.pk, "status": "active"}).json()
    assert [r["id"] for r in listed["items"]] == [a["id"]]
    assert api.get(f"/api/agreements/{a['id']}").json()["benefits"] == "Early access"
    ended = api.post(f"/api/agreements/{a['id']}/end", {"reason": "term over"})
    assert (ended.status_code, ended.json()["status"]) == (200, "ended")
    assert api.post(f"/api/agreements/{a['id']}/end", {}).status_code == 409
    assert api.get("/api/agreements/999999").status_code == 404


def test_opt_out_stops_everything(
    api: ApiClient, make_client: Callable[..., ApiClient], member: Any
) -> None:
    ada = person(account(owner=member), "ada")
    study = ask(ada)
    Agreement.objects.create(
        contact=ada,
        status="active",
        scope=["review"],
        starts_on=dt.date(2026, 1, 1),
        signed_on=dt.date(2026, 1, 1),
        created_at=NOW,
        updated_at=NOW,
    )
    assert make_client("read").post(f"/api/contacts/{ada.pk}/opt-out", {}).status_code == 403
    response = api.post(f"/api/contacts/{ada.pk}/opt-out", {"reason": "too busy"})
    assert response.status_code == 200
    body = response.json()
    assert (body["cancelled_asks"], body["already_opted_out"]) == ([study.pk], False)
    assert body["agreements_ended"] == [Agreement.objects.get().pk]
    assert Ask.objects.get(pk=study.pk).status == "cancelled"
    again = api.post(f"/api/contacts/{ada.pk}/opt-out", {}).json()
    assert (again["already_opted_out"], again["cancelled_asks"]) == (True, [])
    assert api.post("/api/contacts/999999/opt-out", {}).status_code == 404
