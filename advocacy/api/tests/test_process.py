"""/api/routing-rules, /api/checklists, /api/asks/{id}/checklist, /api/asks/escalate."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from advocacy.api.tests.conftest import ApiClient
from advocacy.pipeline.models import Ask, AskStatus, AskStep, RoutingRule
from advocacy.pipeline.tests.factories import make_ask, make_contact

pytestmark = pytest.mark.django_db


def send(api: ApiClient, method: str, path: str, body: Any = None) -> Any:
    call = getattr(api.client, method)
    return call(path, json.dumps(body), content_type="application/json", headers=api._headers(None))


def test_rules_are_added_listed_edited_applied_and_removed(api: ApiClient, member: Any) -> None:
    ask = make_ask("case_study", contact=make_contact(size_band="enterprise"))
    body = {"name": "big ones", "size_band": "enterprise", "owner": "member", "position": 5}
    created = api.post("/api/routing-rules", body)
    assert created.status_code == 201
    rule = created.json()
    assert rule == {
        "id": rule["id"],
        "position": 5,
        "name": "big ones",
        "enabled": True,
        "ask_type": None,
        "stage": "",
        "region": "",
        "size_band": "enterprise",
        "industry": "",
        "account_owner": None,
        "owner": "member",
        "owner_id": member.pk,
        "role": "",
        "criteria": "size enterprise",
    }
    assert [r["id"] for r in api.get("/api/routing-rules").json()] == [rule["id"]]
    edited = send(api, "put", f"/api/routing-rules/{rule['id']}", {**body, "role": "cs"})
    assert (edited.status_code, edited.json()["role"]) == (200, "cs")
    assert api.post("/api/routing-rules/apply").json() == {"routed": 1}
    assert Ask.objects.get(pk=ask.pk).owner_id == member.pk
    removed = send(api, "delete", f"/api/routing-rules/{rule['id']}")
    assert removed.status_code == 204
    assert RoutingRule.objects.count() == 0
    assert send(api, "delete", f"/api/routing-rules/{rule['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"name": "x"}, "a rule needs an owner (a user) or a role pool, or both"),
        ({"name": "x", "owner": "ghost"}, "no user named 'ghost'"),
        ({"name": "x", "role": "cs", "ask_type": "tea"}, "no ask type 'tea'"),
        ({"name": "x", "role": "chef"}, "Value 'chef' is not a valid choice."),
        ({"name": "x", "role": "cs", "region": "mars"}, "Value 'mars' is not a valid choice."),
    ],
)
def test_a_bad_rule_is_422_saying_why(api: ApiClient, body: dict[str, Any], detail: str) -> None:
    response = api.post("/api/routing-rules", body)
    assert response.status_code == 422
    assert response.json() == {"detail": detail}


def test_writes_need_the_asks_write_scope(make_client: Any) -> None:
    reader = make_client("read")
    assert reader.get("/api/routing-rules").status_code == 200
    assert reader.post("/api/routing-rules", {"name": "x", "role": "cs"}).status_code == 403
    assert reader.post("/api/asks/escalate", {}).status_code == 403


def test_a_checklist_is_read_and_edited_into_a_new_version(api: ApiClient) -> None:
    listed = api.get("/api/checklists").json()
    assert {"ask_type": "reference_call", "version": 1, "steps": 7} in listed
    current = api.get("/api/checklists/review").json()
    assert (current["version"], len(current["steps"])) == (1, 4)
    assert current["steps"][3]["requires_status"] == "published"
    running = make_ask("review")
    steps = [{"title": "Ask at the QBR", "role": "cs", "status": "sent"}]
    edited = send(api, "put", "/api/checklists/review", {"steps": steps, "note": "QBR"})
    assert edited.status_code == 200
    assert (edited.json()["version"], edited.json()["note"]) == (2, "QBR")
    assert api.get("/api/checklists/review", {"version": 1}).json()["version"] == 1
    assert AskStep.objects.filter(ask=running).count() == 4
    bad = send(api, "put", "/api/checklists/review", {"steps": [{"title": "a", "role": "x"}]})
    assert bad.status_code == 422
    assert bad.json()["detail"].startswith("steps: step 1: role must be one of admin")
    assert send(api, "put", "/api/checklists/tea", {"steps": steps}).status_code == 404


def test_ticking_steps_moves_the_ask_and_refuses_twice(api: ApiClient, owner: Any) -> None:
    ask = make_ask("review", status=AskStatus.COMPLETED)
    steps = api.get(f"/api/asks/{ask.pk}/checklist").json()
    assert [s["position"] for s in steps] == [1, 2, 3, 4]
    response = api.post(f"/api/asks/{ask.pk}/checklist/4", {"note": "https://g2.example/r/1"})
    assert response.status_code == 200
    body = response.json()
    assert (body["moves"], body["status"]) == (["published"], "published")
    assert (body["step"]["done_by_id"], body["step"]["note"]) == (
        owner.pk,
        "https://g2.example/r/1",
    )
    again = api.post(f"/api/asks/{ask.pk}/checklist/4", {})
    assert again.status_code == 409
    assert again.json() == {"detail": f"ask {ask.pk}: step 4 is already done"}
    assert api.post(f"/api/asks/{ask.pk}/checklist/9", {}).status_code == 404
    assert api.post("/api/asks/999999/checklist/1", {}).status_code == 404


def test_escalate_dry_run_and_for_real(api: ApiClient, owner: Any) -> None:
    ask = make_ask("review", status=AskStatus.SENT, due_at=timezone.now() - dt.timedelta(days=3))
    dry = api.post("/api/asks/escalate", {"dry_run": True}).json()
    assert dry == {
        "dry_run": True,
        "grace_hours": 24,
        "count": 1,
        "asks": [{"id": ask.pk, "escalated_to": "owner"}],
    }
    assert api.post("/api/asks/escalate", {}).json()["count"] == 1
    assert api.post("/api/asks/escalate", {}).json()["count"] == 0
    assert Ask.objects.get(pk=ask.pk).escalated_to == owner
    assert api.post("/api/asks/escalate", {"hours": -1}).status_code == 422
