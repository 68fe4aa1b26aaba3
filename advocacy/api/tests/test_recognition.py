"""/api/recognition: the champions group as of a moment, the featured customers (only what
consent allows, gone when it is withdrawn), a badge issued and revoked by those who may."""

import datetime as dt

import pytest

from advocacy.content.services import grant_consent
from advocacy.recognition.models import Badge
from advocacy.recognition.tests.world import NOW, champion, consented

pytestmark = pytest.mark.django_db
AT = {"as_of": NOW.isoformat()}


def test_champions_as_of_a_moment(api):
    ada = champion("ada@acme.example", activities=3)
    got = api.get("/api/recognition/champions", AT)
    assert got.json() == [
        {"contact_id": ada.pk, "email": "ada@acme.example", "name": "Ada Lovelace",
         "account": "Acme Robotics", "tier": "Advocate"}
    ]  # fmt: skip
    assert api.get("/api/recognition/champions", {"as_of": "2026-03-01T00:00:00Z"}).json() == []


def test_featured_follows_consent(api):
    ada = champion("ada@acme.example")
    asset = consented(ada, ["name", "logo"])
    got = api.get("/api/recognition/featured", AT).json()
    assert got == [
        {"contact_id": ada.pk, "account": "Acme Robotics", "name": "Ada Lovelace", "title": "",
         "logo": True, "quote": ""}
    ]  # fmt: skip
    grant_consent(asset, ["logo"], expires_at=NOW + dt.timedelta(days=9), actor=None, now=NOW)
    assert api.get("/api/recognition/featured", AT).json() == []


def test_issue_read_and_revoke_a_badge(api):
    ada = champion("ada@acme.example")
    made = api.post(f"/api/recognition/badges/{ada.pk}", AT)
    assert made.status_code == 201
    badge = Badge.objects.get()
    assert made.json()["page"] == f"http://127.0.0.1:8000/badge/{badge.token}/"
    assert api.get(f"/api/recognition/badges/{ada.pk}", AT).json()["id"] == badge.pk
    gone = api.post(f"/api/recognition/badges/{ada.pk}/revoke", AT)
    assert gone.status_code == 200 and gone.json()["page"] is None
    assert api.get(f"/api/recognition/badges/{ada.pk}", AT).status_code == 404


def test_a_non_champion_is_refused_with_the_reason(api):
    cy = champion("cy@acme.example", activities=0)
    got = api.post(f"/api/recognition/badges/{cy.pk}", AT)
    assert got.status_code == 409
    assert got.json()["detail"] == (
        "cy@acme.example is not in the champions group: the badge needs the Champion tier or above"
    )


def test_issuing_needs_the_scope_and_the_role(make_client, seller, member):
    ada = champion("ada@acme.example")
    reader = make_client("read")
    assert reader.post(f"/api/recognition/badges/{ada.pk}", AT).status_code == 403
    assert reader.get("/api/recognition/champions", AT).status_code == 200
    as_seller = make_client("read", "rewards:write", user=seller)
    refused = as_seller.post(f"/api/recognition/badges/{ada.pk}", AT)
    assert refused.status_code == 403
    assert "may not issue or revoke an advocate's badge" in refused.json()["detail"]
    as_member = make_client("read", "rewards:write", user=member)
    assert as_member.post(f"/api/recognition/badges/{ada.pk}", AT).status_code == 201
