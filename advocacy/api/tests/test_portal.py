"""/api/contacts/{id}/portal-link and /api/notices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from advocacy.customers.models import Account, Contact
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.people.models import ApiKey, AuditEntry, Scope
from advocacy.pipeline.notices import NoticeDraft, NoticeKind, mark_delivered, notify
from advocacy.references import services as desk
from advocacy.references.tests.world import advocate, refresh

pytestmark = pytest.mark.django_db


def api_client(user: Any, scopes: list[str] | None = None) -> Client:
    _, secret = ApiKey.issue(user, "test", scopes or list(Scope.values))
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def ann() -> Contact:
    account = Account.objects.create(name="Acme", domain="acme.example")
    return Contact.objects.create(account=account, email="ann@acme.example", first_name="Ann")


def test_a_link_is_issued_audited_and_opens_the_portal_once(member: Any, ann: Contact) -> None:
    response = api_client(member).post(
        f"/api/contacts/{ann.pk}/portal-link", {}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["contact_id"], body["email"], body["ask_id"]) == (ann.pk, ann.email, None)
    path = body["url"].removeprefix("http://127.0.0.1:8000")
    assert path.startswith("/portal/enter/")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.via, entry.key_prefix != "") == ("portal.link", "api", True)
    assert Client().post(path).status_code == 302
    assert Client().post(path).status_code == 410


def test_a_link_for_someone_who_left_or_about_an_ask_not_theirs_is_refused(
    member: Any, ann: Contact
) -> None:
    client = api_client(member)
    wrong = client.post(
        f"/api/contacts/{ann.pk}/portal-link", {"ask_id": 999}, content_type="application/json"
    )
    assert (wrong.status_code, wrong.json()["detail"]) == (
        409,
        "ask 999 is not one of ann@acme.example's asks",
    )
    Contact.objects.filter(pk=ann.pk).update(left_company_at=timezone.now())
    left = client.post(f"/api/contacts/{ann.pk}/portal-link", {}, content_type="application/json")
    assert left.status_code == 409
    assert AuditEntry.objects.count() == 0


def test_a_read_only_key_gets_no_link(member: Any, ann: Contact) -> None:
    client = api_client(member, [Scope.READ])
    response = client.post(
        f"/api/contacts/{ann.pk}/portal-link", {}, content_type="application/json"
    )
    assert response.status_code == 403


def test_notices_mine_by_contact_and_undelivered(member: Any, marketer: Any, ann: Contact) -> None:
    now = timezone.now()
    notify(
        [
            NoticeDraft("a", NoticeKind.ASK_ACCEPTED, ann.pk, "Ann accepted.", member.pk, "cs"),
            NoticeDraft("b", NoticeKind.LINK_REQUESTED, ann.pk, "Ann asked for a link.", None,
                        "cs"),
            NoticeDraft("c", NoticeKind.CONTENT_APPROVED, ann.pk, "Ann approved.", marketer.pk,
                        "marketing"),
        ],
        now=now,
    )  # fmt: skip
    client = api_client(member)
    every = client.get("/api/notices").json()
    assert every["count"] == 3
    mine = client.get("/api/notices", {"mine": "true"}).json()
    assert sorted(n["text"] for n in mine["items"]) == ["Ann accepted.", "Ann asked for a link."]
    assert {n["recipient"] for n in mine["items"]} == {"member", None}
    link = client.get("/api/notices", {"kind": "link_requested"}).json()["items"]
    mark_delivered([link[0]["id"]], now=now)
    waiting = client.get("/api/notices", {"undelivered": "true", "contact_id": ann.pk}).json()
    assert waiting["count"] == 2


def test_the_desk_offers_times_through_the_api(member: Any, seller: Any) -> None:
    now = timezone.now()
    ann = advocate("ann.lee@a.example", at=now)
    refresh()
    data = desk.RequestData(opportunity="Globex", prospect_company="Globex", industry="SaaS",
                            needed_by=(now + timedelta(days=14)).date())  # fmt: skip
    made = desk.offer(desk.file_request(data, actor=seller, now=now), ann, actor=member, now=now,
                      policy=DEFAULT_POLICY)  # fmt: skip
    client = api_client(member)
    path = f"/api/references/offers/{made.pk}/times"
    early = client.post(path, {"starts_at": [(now + timedelta(days=2)).isoformat()]},
                        content_type="application/json")  # fmt: skip
    assert early.status_code == 409  # not accepted yet
    desk.respond(made, True, actor=member, now=now, policy=DEFAULT_POLICY)
    times = [(now + timedelta(days=d)).isoformat() for d in (3, 2)]
    response = client.post(path, {"starts_at": times, "duration_minutes": 30},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 200
    body = response.json()
    assert [t["duration_minutes"] for t in body] == [30, 30]
    assert body[0]["starts_at"] < body[1]["starts_at"]
    too_many = client.post(path, {"starts_at": times * 3}, content_type="application/json")
    assert too_many.status_code == 422
