"""Users, API keys and the audit log in the web UI: admins only, every change audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from advocacy.people.models import ApiKey, AuditEntry, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client: Client, owner: Any) -> Client:
    client.force_login(owner)
    return client


def test_invite_gives_a_one_time_link_that_sets_the_password(admin: Client) -> None:
    response = admin.post(
        "/users/", {"username": "ann", "email": "ann@example.com", "role": "sales"}
    )
    assert response.status_code == 200
    link = response.context["link"]
    assert "/password/set/" in link
    ann = User.objects.get(username="ann")
    assert (ann.role, ann.has_usable_password()) == ("sales", False)
    entry = AuditEntry.objects.get(action="users.create")
    assert (entry.actor_name, entry.target, entry.via) == ("owner", "user ann", "web")

    visitor = Client()
    path = link.split("testserver", 1)[1]
    form = visitor.get(path, follow=True)
    assert form.context["validlink"] is True
    done = visitor.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"new_password1": "a long new secret 42", "new_password2": "a long new secret 42"},
    )
    assert done.status_code == 302
    ann.refresh_from_db()
    assert ann.check_password("a long new secret 42")
    again = Client().get(path, follow=True)
    assert again.context["validlink"] is False


def test_change_role_and_deactivate_are_audited_with_before_and_after(
    admin: Client, member: Any
) -> None:
    response = admin.post(
        "/users/member/", {"email": member.email, "role": "viewer", "is_active": ""}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.role, member.is_active) == ("viewer", False)
    entry = AuditEntry.objects.get(action="users.update")
    assert entry.detail == {"role": ["cs", "viewer"], "is_active": [True, False]}
    page = admin.get("/users/member/")
    assert "role &#x27;cs&#x27; → &#x27;viewer&#x27;" in page.content.decode()


def test_an_admin_cannot_lock_themselves_out(admin: Client, owner: Any) -> None:
    response = admin.post("/users/owner/", {"email": owner.email, "role": "cs", "is_active": "on"})
    assert response.status_code == 422
    assert "you cannot demote or deactivate yourself" in response.content.decode()
    owner.refresh_from_db()
    assert owner.role == "admin"


def test_reset_password_stops_the_old_one(admin: Client, member: Any) -> None:
    response = admin.post("/users/member/password/", follow=True)
    assert "one-time link" in response.content.decode()
    member.refresh_from_db()
    assert not member.has_usable_password()
    assert AuditEntry.objects.filter(action="users.password", target="user member").count() == 1


def test_issue_and_revoke_a_key(admin: Client, member: Any) -> None:
    response = admin.post("/users/keys/", {"user": "member", "name": "crm", "scopes": ["read"]})
    assert response.status_code == 200
    assert response.context["secret"].startswith("adv_")
    key = ApiKey.objects.get()
    revoke = admin.post(f"/users/keys/{key.prefix}/revoke/")
    assert revoke.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "keys.issue",
        "keys.revoke",
    ]


def test_a_web_write_is_audited_with_who_what_and_where(admin: Client) -> None:
    admin.post(
        "/metrics/scorecard/",
        {"metric": "nps", "target": "40", "window": "quarter", "cadence": "monthly"},
    )
    entry = AuditEntry.objects.get(action="scorecard.edit")
    assert (entry.actor_name, entry.via, entry.ip, entry.target) == (
        "owner",
        "web",
        "127.0.0.1",
        "/metrics/scorecard/",
    )
    assert entry.detail["target"] == "40"
    assert "csrfmiddlewaretoken" not in entry.detail


def test_a_refused_write_is_not_audited_and_names_who_may(client: Client, seller: Any) -> None:
    client.force_login(seller)
    response = client.post("/metrics/scorecard/", {"metric": "nps", "target": "40"})
    assert response.status_code == 403
    assert "seller (Sales) may not set the scorecard" in response.content.decode()
    assert AuditEntry.objects.count() == 0


def test_the_audit_page_filters_and_exports(admin: Client) -> None:
    admin.post("/users/", {"username": "ann", "role": "sales"})
    admin.post("/users/", {"username": "bob", "role": "cs"})
    page = admin.get("/audit/", {"q": "ann"})
    assert page.context["page"].paginator.count == 1
    export = admin.get("/audit/export.csv", {"action": "users"})
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert lines[0] == "at,actor,via,ip,key,action,target,summary,detail"
    assert len(lines) == 3


def test_admin_pages_are_hidden_and_refused_for_others(client: Client, member: Any) -> None:
    client.force_login(member)
    home = client.get("/")
    assert b'data-testid="nav-users"' not in home.content
    assert client.get("/users/").status_code == 403
    assert client.get("/audit/").status_code == 403


def test_an_admin_sees_a_lockout_and_ends_it(admin: Client, member: Any, settings: Any) -> None:
    visitor = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        visitor.post("/login/", {"username": "member", "password": "wrong"})
    page = admin.get("/users/member/")
    assert b'data-testid="lockout"' in page.content
    admin.post("/users/member/unlock/")
    assert b'data-testid="lockout"' not in admin.get("/users/member/").content
    assert AuditEntry.objects.filter(action="users.unlock", target="user member").count() == 1
    signed_in = visitor.post("/login/", {"username": "member", "password": "correct horse battery"})
    assert signed_in.status_code == 302


def test_an_admin_chooses_how_a_users_notices_reach_them(admin: Client, member: Any) -> None:
    page = admin.get("/users/member/")
    assert 'name="notify_by"' in page.content.decode()
    response = admin.post(
        "/users/member/",
        {"email": member.email, "role": member.role, "is_active": "on", "notify_by": "queue"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.notify_by == "queue"
    entry = AuditEntry.objects.get(action="users.update")
    assert entry.detail == {"notify_by": ["email", "queue"]}


def test_anyone_chooses_how_their_own_notices_reach_them(client: Client, seller: Any) -> None:
    client.force_login(seller)
    page = client.get("/me/notices/")
    assert page.status_code == 200
    assert 'value="slack"' in page.content.decode()
    saved = client.post("/me/notices/", {"notify_by": "both"})
    assert saved.status_code == 302
    seller.refresh_from_db()
    assert seller.notify_by == "both"
    assert client.post("/me/notices/", {"notify_by": "pigeon"}).status_code == 422
    (entry,) = AuditEntry.objects.filter(action__startswith="users")
    assert (entry.action, entry.actor_name, entry.detail) == (
        "users.notices", "seller", {"notify_by": ["email", "both"]}
    )  # fmt: skip
