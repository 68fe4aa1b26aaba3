"""/api/advocates (who is ready for what) and /api/contacts/{id}/next-best-asks (and why)."""

import datetime as dt

import pytest
from django.utils import timezone

from advocacy.api.routers.advocate_schemas import ProfileOut, Rung, Stage
from advocacy.api.tests.conftest import NOW, customer
from advocacy.engine.conditions import FIELDS
from advocacy.engine.models import ContactProfile
from advocacy.engine.profile import PROFILE_COLUMNS

pytestmark = pytest.mark.django_db
MATURE_PROMOTER = [
    "advisory_board",
    "anonymous_quote",
    "community",
    "reference_call",
    "referral",
    "review",
    "speaker",
    "testimonial_quote",
    "video_testimonial",
]


def test_the_schemas_speak_the_engines_words():
    assert Stage.__args__ == FIELDS["stage"].choices
    assert Rung.__args__ == FIELDS["rung"].choices
    assert list(ProfileOut.model_fields) == [*PROFILE_COLUMNS, "persona"]


@pytest.fixture
def people():
    now = timezone.now()
    ada = customer("ada@acme.example", at=now, first_name="Ada", last_name="Lovelace")
    # A passive (NPS 7): satisfied and active, but under the gate's NPS of every ask.
    bob = customer("bob@globex.example", nps=7, at=now, last_name="Babbage", persona="admin")
    cy = customer("cy@initech.example", nps=None, active=False, health=None, last_name="Cyan")
    places = [("Software", "emea"), ("Retail", "na"), ("Software", "apac")]
    for contact, (industry, region) in zip((ada, bob, cy), places, strict=True):
        contact.account.industry, contact.account.region = industry, region
        contact.account.save()
    return ada, bob, cy


def test_refresh_then_list_who_is_ready_for_what(api, people):
    ada = people[0]
    response = api.post("/api/advocates/refresh")
    assert response.status_code == 202
    job = api.get(response["Location"]).json()
    assert (job["state"], job["result"]["refreshed"]) == ("done", 3)
    listed = api.get("/api/advocates").json()
    assert listed["count"] == 3
    assert [(a["email"], a["stage"], a["rung"], a["ready"]) for a in listed["items"]] == [
        ("bob@globex.example", "engagement", "engaged", []),
        ("cy@initech.example", "activation", "none", []),
        ("ada@acme.example", "mature", "engaged", MATURE_PROMOTER),
    ]
    assert ContactProfile.objects.count() == 3
    assert listed["items"][2] == {
        "contact_id": ada.pk,
        "email": "ada@acme.example",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "persona": "",
        "account_id": ada.account_id,
        "account_name": "Acme",
        "stage": "mature",
        "rung": "engaged",
        "ready": MATURE_PROMOTER,
        "nps": 10.0,
        "nps_at": listed["items"][2]["nps_at"],
        "health": 85.0,
        "open_tickets": 0,
        "last_activity_at": listed["items"][2]["last_activity_at"],
        "activities_12m": 0,
        "as_of": listed["items"][2]["as_of"],
    }
    as_of = dt.datetime.fromisoformat(job["result"]["as_of"])  # to the millisecond in JSON
    assert listed["items"][2]["as_of"] == f"{as_of.isoformat(timespec='milliseconds')[:-6]}Z"


@pytest.mark.parametrize(
    ("params", "emails"),
    [
        ({"ready_for": "review"}, ["ada@acme.example"]),
        ({"ready_for": "community"}, ["ada@acme.example"]),
        ({"ready_for": "view"}, []),  # a whole code, never the tail of one
        ({"stage": "activation"}, ["cy@initech.example"]),
        ({"rung": "engaged", "region": "na"}, ["bob@globex.example"]),
        ({"industry": "software"}, ["cy@initech.example", "ada@acme.example"]),
        ({"persona": "admin"}, ["bob@globex.example"]),
        ({"size_band": "smb"}, []),
    ],
)
def test_filters(api, people, params, emails):
    api.post("/api/advocates/refresh")
    listed = api.get("/api/advocates", params).json()
    assert [a["email"] for a in listed["items"]] == emails


def test_invalid_filters_are_refused(api):
    for params in ({"stage": "teen"}, {"rung": 3}, {"region": "mars"}, {"limit": 0}):
        assert api.get("/api/advocates", params).status_code == 422


def test_refreshing_needs_plays_run(make_client, people):
    response = make_client("read").post("/api/advocates/refresh")
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "missing scope 'plays:run': this API key has read"},
    )
    assert make_client("plays:run").post("/api/advocates/refresh").status_code == 202


def test_next_best_asks_as_of_a_moment(api):
    # Health 75: over the gate's 70, under the mature stage's 80, so in the engagement stage.
    ada = customer("ada@acme.example", persona="admin", health=75)
    response = api.get(f"/api/contacts/{ada.pk}/next-best-asks", {"as_of": "2026-06-01T12:00:00Z"})
    assert response.status_code == 200
    body = response.json()
    assert (body["contact_id"], body["email"], body["as_of"]) == (
        ada.pk,
        "ada@acme.example",
        "2026-06-01T12:00:00Z",
    )
    assert body["profile"] == {
        "nps": 10.0,
        "nps_at": "2026-06-01T07:00:00Z",
        "csat": None,
        "health": 75.0,
        "customer_since": "2025-01-01",
        "last_activity_at": "2026-05-30T12:00:00Z",
        "last_milestone_at": None,
        "open_tickets": 0,
        "last_ticket_at": None,
        "last_renewal_at": None,
        "last_expansion_at": None,
        "last_result_at": None,
        "last_nomination_at": None,
        "activities_12m": 0,
        "stage": "engagement",
        "rung": "engaged",
        "persona": "admin",
    }
    assert body["options"][0] == {
        "code": "review",
        "name": "Review (G2, Capterra, TrustRadius)",
        "effort": "low",
        "ready": True,
        "score": 13.05,
        # Every rule of the gate and the stage, each with its code (exclusions show only
        # when they apply).
        "reasons": [
            {"code": "nps_below_min", "text": "latest NPS ≥ 9 (found: 10)", "ok": True},
            {
                "code": "nps_stale",
                "text": "NPS answered within 180 days (found: 2026-06-01)",
                "ok": True,
            },
            {"code": "health_below_min", "text": "health score ≥ 70 (found: 75)", "ok": True},
            {
                "code": "tenure_below_min",
                "text": "a customer for at least 90 days (found: 2025-01-01)",
                "ok": True,
            },
            {
                "code": "inactive",
                "text": "active in the product within 30 days (found: 2026-05-30)",
                "ok": True,
            },
            {
                "code": "no_csm_owner",
                "text": "a CSM owns the relationship",
                "ok": True,
            },
            {
                "code": "stage_too_early",
                "text": "lifecycle stage fits the ask (engagement, expansion, mature) "
                "(found: engagement)",
                "ok": True,
            },
        ],
        "next_allowed_at": None,
    }
    earlier = api.get(f"/api/contacts/{ada.pk}/next-best-asks", {"as_of": "2026-01-01T00:00:00Z"})
    assert earlier.json()["profile"]["nps"] is None


def test_next_best_asks_refuses_bad_moments_and_unknown_contacts(api):
    ada = customer("ada@acme.example", at=NOW)
    for as_of in ("2026-06-01T12:00:00", "1900-01-01T00:00:00Z", "tomorrow"):
        response = api.get(f"/api/contacts/{ada.pk}/next-best-asks", {"as_of": as_of})
        assert response.status_code == 422, as_of
    assert api.get("/api/contacts/999/next-best-asks").status_code == 404
