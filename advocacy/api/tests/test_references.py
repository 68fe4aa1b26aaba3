"""/api/references: the reference desk over the REST API, with scopes and idempotent writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import time_machine
from icalendar import Calendar

from advocacy.api.tests.conftest import ApiClient
from advocacy.people.models import Scope
from advocacy.references.models import ReferenceRequest
from advocacy.references.tests.world import NOW, advocate, refresh

pytestmark = pytest.mark.django_db
BODY = {
    "opportunity": "Globex expansion",
    "prospect_company": "Globex",
    "prospect_contacts": ["cto@globex.example"],
    "industry": "SaaS",
    "region": "emea",
    "size_band": "enterprise",
    "products": ["Core Platform"],
    "needed_by": "2026-06-20",
}


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def desk(make_client: Callable[..., ApiClient]) -> ApiClient:
    return make_client(Scope.READ, Scope.REFERENCES_WRITE)


def test_the_whole_flow(desk: ApiClient) -> None:
    advocate("ann@a.example")
    advocate("bob@b.example", region="apac")
    refresh()
    filed = desk.post("/api/references/requests", BODY)
    assert filed.status_code == 201, filed.json()
    rid = filed.json()["id"]
    assert (filed.json()["status"], filed.json()["offers"]) == ("open", [])

    found = desk.get(f"/api/references/requests/{rid}/candidates").json()
    assert [c["email"] for c in found] == ["ann@a.example", "bob@b.example"]
    assert found[0]["reasons"][:2] == [
        "same industry (SaaS) +3",
        "same region (Europe, Middle East & Africa) +2",
    ]
    offered = desk.post(
        f"/api/references/requests/{rid}/offers", {"contact_id": found[0]["contact_id"]}
    )
    assert offered.status_code == 201
    oid = offered.json()["id"]
    answered = desk.post(f"/api/references/offers/{oid}/response", {"accepted": True})
    assert answered.json()["status"] == "accepted"
    call = desk.post(f"/api/references/offers/{oid}/call", {"starts_at": "2026-06-03T15:00:00Z"})
    assert call.status_code == 201, call.json()
    assert call.json()["request_ids"] == [rid]
    ics = desk.get(f"/api/references/calls/{call.json()['id']}/invite.ics")
    assert ics["Content-Type"] == "text/calendar"
    (event,) = Calendar.from_ical(ics.content).walk("VEVENT")
    assert str(event["uid"]) == call.json()["uid"]
    assert event.decoded("dtstart") == dt.datetime(2026, 6, 3, 15, tzinfo=dt.UTC)
    assert desk.get(f"/api/references/requests/{rid}").json()["status"] == "scheduled"
    held = desk.post(
        f"/api/references/calls/{call.json()['id']}/outcome", {"outcome": "held", "rating": 4}
    )
    assert (held.json()["outcome"], held.json()["rating"]) == ("held", 4)
    won = desk.post(f"/api/references/requests/{rid}/result", {"result": "won"})
    assert (won.json()["status"], won.json()["result"]) == ("completed", "won")
    stats = desk.get("/api/references/stats", {"days": 30}).json()
    assert (stats["overall"]["filled"], stats["overall"]["fill_rate"], stats["alerts"]) == (
        1,
        1.0,
        [],
    )
    listed = desk.get("/api/references/requests", {"status": "completed"}).json()
    assert (listed["count"], listed["items"][0]["id"]) == (1, rid)


def test_refusals_are_json_with_their_status(desk: ApiClient) -> None:
    bad = desk.post("/api/references/requests", {**BODY, "needed_by": "2026-05-01"})
    assert (bad.status_code, bad.json()) == (
        422,
        {"detail": "needed_by: 2026-05-01 is in the past"},
    )
    ann = advocate("ann@a.example")
    sad = advocate("sad@s.example", churn_risk=True)
    refresh()
    rid = desk.post("/api/references/requests", BODY).json()["id"]
    excluded = desk.post(f"/api/references/requests/{rid}/offers", {"contact_id": sad.pk})
    assert excluded.status_code == 422
    assert "churn risk" in str(excluded.json()["detail"])
    assert (
        desk.post(f"/api/references/requests/{rid}/offers", {"contact_id": ann.pk}).status_code
        == 201
    )
    second = desk.post("/api/references/requests", {**BODY, "prospect_company": "Initech"}).json()[
        "id"
    ]
    capped = desk.post(f"/api/references/requests/{second}/offers", {"contact_id": ann.pk})
    assert capped.status_code == 409
    assert capped.json()["detail"].startswith("tap cap: ann@a.example may be asked")
    moved = desk.post(f"/api/references/requests/{rid}/close", {"status": "completed"})
    assert moved.status_code == 409
    assert desk.get("/api/references/requests/999999").status_code == 404


def test_writes_need_the_references_scope(make_client: Callable[..., ApiClient]) -> None:
    reader = make_client(Scope.READ)
    assert reader.get("/api/references/requests").status_code == 200
    refused = reader.post("/api/references/requests", BODY)
    assert refused.status_code == 403
    assert ReferenceRequest.objects.count() == 0


def test_filing_is_idempotent_with_a_key(desk: ApiClient) -> None:
    headers = {"Idempotency-Key": "file-1"}
    first = desk.post("/api/references/requests", BODY, headers=headers)
    again = desk.post("/api/references/requests", BODY, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert ReferenceRequest.objects.count() == 1
