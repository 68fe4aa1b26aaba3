"""/api/asks: list and read asks; open one by hand, within the exclusions and tap caps."""

import datetime as dt

import pytest
from django.utils import timezone

from advocacy.api.tests.conftest import customer, signal
from advocacy.engine.models import CapOverride, TapClaim
from advocacy.pipeline.models import Ask

pytestmark = pytest.mark.django_db
KEY = {"Idempotency-Key": "manual-ask-1"}


def advocate(email):
    """A contact every ask type's gate lets through now (mature: a customer since 2025, NPS 10,
    health 85, active), with a result shared a month ago for case studies."""
    now = timezone.now()
    contact = customer(email, at=now)
    signal(contact, "result_shared", now - dt.timedelta(days=30), account_wide=True)
    return contact


@pytest.fixture
def ada():
    return advocate("ada@acme.example")


def ask(api, contact, ask_type="review", **body):
    return api.post("/api/asks", {"contact_id": contact.pk, "ask_type": ask_type, **body})


def test_open_an_ask_by_hand(api, ada, owner):
    response = ask(api, ada, note="met at the user group")
    assert response.status_code == 201
    opened = Ask.objects.get()
    body = response.json()
    assert body == {
        "id": opened.pk,
        "contact_id": ada.pk,
        "email": "ada@acme.example",
        "ask_type": "review",
        "effort": "low",
        "play": "",
        "trigger_signal_id": None,
        "moment": f"manual:{opened.opened_at.isoformat()}",
        "status": "proposed",
        "owner_id": owner.pk,
        "owner_role": "",
        "channel": "",
        "opened_at": body["opened_at"],
        "send_by": None,
        "sent_at": None,
        "missed_send_window": False,
        "due_at": None,
        "follow_up_at": None,
        "updated_at": body["updated_at"],
        "paused_at": None,
        "paused_reason": "",
        "paused_by": "",
        "events": [
            {
                "from_status": "",
                "to_status": "proposed",
                "actor_id": owner.pk,
                "note": "opened by hand: met at the user group",
                "at": body["opened_at"],
            }
        ],
        "cap_overrides": [],
    }
    assert api.get(f"/api/asks/{opened.pk}").json() == body


def test_the_tap_cap_refuses_a_second_ask_of_the_same_effort(api, ada):
    assert ask(api, ada, "review").status_code == 201
    response = ask(api, ada, "community")
    assert response.status_code == 409
    until = TapClaim.objects.get(contact=ada, effort="low").next_allowed_at
    assert response.json() == {
        "detail": "tap cap: ada@acme.example may be asked one ask of low effort or higher per "
        f"30 days; the next is allowed from {until.isoformat()}. "
        "Give an override_reason to ask anyway (it is recorded).",
        "code": "cap_low_effort",
    }
    # The low-effort window covers every higher effort too; a reference call is outside the
    # effort windows (its own limit governs it).
    assert ask(api, ada, "case_study").json() == response.json()
    assert Ask.objects.count() == 1
    assert ask(api, ada, "reference_call").status_code == 201


def test_an_override_opens_it_and_is_recorded(api, ada, owner):
    ask(api, ada, "review")
    response = ask(api, ada, "community", override_reason="asked for it at the summit")
    assert response.status_code == 201
    override = CapOverride.objects.get()
    assert (override.ask_id, override.actor_id, override.reason) == (
        response.json()["id"],
        owner.pk,
        "asked for it at the summit",
    )
    assert response.json()["cap_overrides"] == [
        {
            "actor_id": owner.pk,
            "reason": "asked for it at the summit",
            "at": response.json()["opened_at"],
        }
    ]


def test_exclusions_refuse_a_manual_ask_unless_overridden(api, ada):
    now = timezone.now()
    ada.opted_out_at = ada.left_company_at = now - dt.timedelta(days=1)
    ada.save()
    response = ask(api, ada)
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "contact_id"],
                "msg": f"ada@acme.example may not be asked for review: excluded: {name} "
                "(give an override_reason to ask anyway)",
                "type": code,
                "item": None,
                "field": "contact_id",
            }
            for name, code in (
                ("opted out", "excluded_opted_out"),
                ("left the company", "excluded_left_company"),
            )
        ]
    }
    assert Ask.objects.count() == 0
    assert ask(api, ada, override_reason="she asked to be included").status_code == 201
    assert CapOverride.objects.get().reason == "she asked to be included"


def test_a_detractor_is_paused(api):
    dan = customer("dan@acme.example", nps=3, at=timezone.now())
    response = ask(api, dan)
    assert response.status_code == 422
    # An NPS of 3 fails the gate, and a detractor is excluded until resolved.
    assert [(e["type"], e["msg"]) for e in response.json()["detail"]] == [
        (
            "nps_below_min",
            "dan@acme.example may not be asked for review: not met: latest NPS ≥ 9 "
            "(give an override_reason to ask anyway)",
        ),
        (
            "excluded_dissatisfied",
            "dan@acme.example may not be asked for review: excluded: dissatisfied: paused until "
            "resolved (give an override_reason to ask anyway)",
        ),
    ]


def test_unknown_contact_and_ask_type_are_named(api):
    response = api.post("/api/asks", {"contact_id": 999, "ask_type": "billboard"})
    assert response.status_code == 422
    assert [(e["field"], e["msg"], e["type"]) for e in response.json()["detail"]] == [
        ("contact_id", "no contact with id 999", "rejected"),
        ("ask_type", "no active ask type 'billboard'", "rejected"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"contact_id": 0, "ask_type": "review"},
        {"contact_id": 1},
        {"contact_id": 1, "ask_type": ""},
        {"contact_id": "one", "ask_type": "review"},
        {"contact_id": 1, "ask_type": "review", "note": "x" * 2001},
    ],
)
def test_invalid_input_is_refused(api, body):
    assert api.post("/api/asks", body).status_code == 422


def test_a_replayed_request_opens_one_ask(api, ada):
    first = api.post("/api/asks", {"contact_id": ada.pk, "ask_type": "review"}, headers=KEY)
    second = api.post("/api/asks", {"contact_id": ada.pk, "ask_type": "review"}, headers=KEY)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second["Idempotent-Replayed"] == "true"
    assert second.content == first.content
    assert Ask.objects.count() == 1


def test_opening_asks_needs_asks_write(make_client, ada):
    response = ask(make_client("read", "plays:run"), ada)
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "missing scope 'asks:write': this API key has plays:run, read"},
    )
    assert ask(make_client("asks:write"), ada).status_code == 201


def test_list_filters_newest_first(api, ada):
    bob = advocate("bob@globex.example")
    first = ask(api, ada, "review").json()["id"]
    second = ask(api, bob, "case_study").json()["id"]
    third = ask(api, ada, "reference_call").json()["id"]  # outside the effort windows
    listed = api.get("/api/asks").json()
    assert (listed["count"], [a["id"] for a in listed["items"]]) == (3, [third, second, first])
    assert [a["id"] for a in api.get("/api/asks", {"contact_id": ada.pk}).json()["items"]] == [
        third,
        first,
    ]
    by_type = api.get("/api/asks", {"ask_type": "case_study"}).json()["items"]
    assert [(a["id"], a["email"], a["effort"]) for a in by_type] == [
        (second, "bob@globex.example", "high")
    ]
    assert api.get("/api/asks", {"status": "sent"}).json()["count"] == 0
    assert api.get("/api/asks", {"play": "nps-promoter-review"}).json()["count"] == 0
    assert api.get("/api/asks", {"status": "maybe"}).status_code == 422
    assert api.get("/api/asks/999").status_code == 404


def test_list_filters_the_asks_that_missed_their_send_window(api, ada):
    """GIVEN one ask unsent past its send-by, one sent late, one sent in time and one with
    time left WHEN listed with missed_window THEN the first two, then the other two."""
    now = timezone.now().replace(microsecond=0)
    bob = advocate("bob@globex.example")
    # A reference call is outside the effort windows the review takes.
    pairs = ((ada, "review"), (ada, "reference_call"), (bob, "review"), (bob, "reference_call"))
    ids = [ask(api, contact, code).json()["id"] for contact, code in pairs]
    unsent, late, in_time, pending = ids
    hour = dt.timedelta(hours=1)
    Ask.objects.filter(pk=unsent).update(send_by=now - hour)
    Ask.objects.filter(pk=late).update(status="sent", send_by=now - 3 * hour, sent_at=now - hour)
    Ask.objects.filter(pk=in_time).update(status="sent", send_by=now - hour, sent_at=now - 2 * hour)
    Ask.objects.filter(pk=pending).update(send_by=now + hour)
    missed = api.get("/api/asks", {"missed_window": "true"}).json()["items"]
    assert [(a["id"], a["missed_send_window"]) for a in missed] == [(late, True), (unsent, True)]
    kept = api.get("/api/asks", {"missed_window": "false"}).json()["items"]
    assert [(a["id"], a["missed_send_window"]) for a in kept] == [
        (pending, False),
        (in_time, False),
    ]
    detail = api.get(f"/api/asks/{late}").json()
    moments = (dt.datetime.fromisoformat(detail[k]) for k in ("send_by", "sent_at"))
    assert tuple(moments) == (now - 3 * hour, now - hour)
