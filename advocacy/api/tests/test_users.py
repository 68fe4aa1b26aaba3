"""/api/users, /api/keys and /api/audit: an admin manages the team and its keys, audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from advocacy.api.tests.conftest import ApiClient
from advocacy.people.models import ApiKey, AuditEntry, Scope, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_client: Callable[..., ApiClient], owner: Any) -> ApiClient:
    return make_client(Scope.READ, Scope.USERS_WRITE, user=owner)


def test_an_admin_invites_changes_and_resets_a_user(admin: ApiClient) -> None:
    invited = admin.post("/api/users", {"username": "dee", "role": "marketing", "email": "d@x.io"})
    assert invited.status_code == 201
    body = invited.json()
    assert (body["user"]["username"], body["user"]["role"], body["user"]["is_active"]) == (
        "dee", "marketing", True
    )  # fmt: skip
    assert body["link"].startswith("/password/set/")
    assert not User.objects.get(username="dee").has_usable_password()

    changed = admin.patch("/api/users/dee", {"role": "cs", "is_active": False})
    assert (changed.status_code, changed.json()["role"], changed.json()["is_active"]) == (
        200, "cs", False
    )  # fmt: skip
    assert [u["username"] for u in admin.get("/api/users").json()] == ["owner", "dee"]
    assert admin.get("/api/users/dee").json()["email"] == "d@x.io"

    reset = admin.post("/api/users/dee/password-reset")
    assert reset.status_code == 200 and reset.json()["link"].startswith("/password/set/")
    unlocked = admin.post("/api/users/dee/unlock")
    assert unlocked.json() == {"username": "dee", "was_locked_until": None, "cleared": 0}

    entries = AuditEntry.objects.filter(via="api").order_by("pk")
    assert [(e.actor_name, e.action, e.target) for e in entries] == [
        ("owner", "users.create", "user dee"),
        ("owner", "users.update", "user dee"),
        ("owner", "users.password", "user dee"),
    ]
    assert entries[1].detail == {"role": ["marketing", "cs"], "is_active": [True, False]}


def test_an_admin_cannot_demote_themselves(admin: ApiClient) -> None:
    response = admin.patch("/api/users/owner", {"role": "viewer"})
    assert (response.status_code, response.json()) == (
        422, {"detail": "you cannot demote or deactivate yourself: ask another admin"}
    )  # fmt: skip
    assert User.objects.get(username="owner").role == "admin"


def test_an_admin_issues_lists_and_revokes_a_key(admin: ApiClient, member: Any) -> None:
    issued = admin.post(
        "/api/keys", {"user": "member", "name": "crm sync", "scopes": ["read", "signals:write"]}
    )
    assert issued.status_code == 201
    body = issued.json()
    key, secret = body["key"], body["secret"]
    assert (key["user"], key["name"], key["scopes"], key["revoked_at"]) == (
        "member", "crm sync", ["read", "signals:write"], None
    )  # fmt: skip
    assert secret.startswith(f"adv_{key['prefix']}")
    with_it = ApiClient(secret)
    assert with_it.get("/api/contacts").status_code == 200

    listed = admin.get("/api/keys").json()
    assert key["prefix"] in [k["prefix"] for k in listed]
    assert secret not in admin.get("/api/keys").content.decode()

    revoked = admin.post(f"/api/keys/{key['prefix']}/revoke")
    assert revoked.json() == {"prefix": key["prefix"], "revoked": True}
    assert admin.post(f"/api/keys/{key['prefix']}/revoke").json()["revoked"] is False
    assert with_it.get("/api/contacts").status_code == 401
    assert key["prefix"] not in [k["prefix"] for k in admin.get("/api/keys?active=true").json()]
    logged = AuditEntry.objects.filter(via="api", action__startswith="keys.").order_by("pk")
    assert [(e.actor_name, e.action, e.target) for e in logged] == [
        ("owner", "keys.issue", f"key {key['prefix']}"),
        ("owner", "keys.revoke", f"key {key['prefix']}"),
    ]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"user": "ghost", "name": "x", "scopes": ["read"]}, "no user named 'ghost'"),
        # A blank name is refused by the schema (surrounding blanks are stripped), on the field.
        ({"user": "member", "name": "  ", "scopes": ["read"]}, ["body", "name"]),
    ],
)
def test_a_key_that_cannot_be_is_refused(
    admin: ApiClient, member: Any, body: dict[str, Any], detail: str | list[str]
) -> None:
    response = admin.post("/api/keys", body)
    assert response.status_code == 422
    found = response.json()["detail"]
    if isinstance(detail, str):
        assert detail in found
    else:
        assert [error["loc"] for error in found] == [detail]
    assert ApiKey.objects.filter(name=body["name"]).count() == 0


def test_an_unknown_scope_is_a_validation_error(admin: ApiClient, member: Any) -> None:
    response = admin.post("/api/keys", {"user": "member", "name": "x", "scopes": ["root"]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "scopes", 0]


def test_only_an_admin_manages_keys_whatever_the_key(
    make_client: Callable[..., ApiClient], member: Any
) -> None:
    members_key = make_client(Scope.READ, Scope.USERS_WRITE, user=member)
    response = members_key.post("/api/keys", {"user": "member", "name": "x", "scopes": ["read"]})
    assert response.status_code == 403
    assert members_key.get("/api/keys").status_code == 403
    assert ApiKey.objects.filter(name="x").count() == 0


def test_the_audit_log_lists_what_was_changed(admin: ApiClient, member: Any) -> None:
    admin.patch("/api/users/member", {"email": "m@new.example"})
    page = admin.get("/api/audit", {"action": "users"}).json()
    assert [(e["actor"], e["via"], e["action"]) for e in page["items"]] == [
        ("owner", "api", "users.update")
    ]


def test_a_nul_character_anywhere_in_a_write_is_logged_not_a_server_error(api: ApiClient) -> None:
    """PostgreSQL's JSON holds no NUL: the log shows each as U+FFFD (the body's unknown field
    is ignored by the operation, but the log records what was submitted)."""
    body = {"items": [{"name": "Acme", "domain": "acme.example", "note\x00": ["a\x00b"]}]}
    response = api.post("/api/accounts/batch", body)
    assert response.status_code == 201
    (entry,) = AuditEntry.objects.filter(target="POST /api/accounts/batch")
    assert entry.detail["items"]["note\ufffd"] == ["a\ufffdb"]  # a list of one is its item


def test_an_admin_chooses_how_a_users_notices_reach_them(admin: ApiClient, member: Any) -> None:
    assert admin.get("/api/users/member").json()["notify_by"] == "email"
    changed = admin.patch("/api/users/member", {"notify_by": "both"})
    assert (changed.status_code, changed.json()["notify_by"]) == (200, "both")
    refused = admin.patch("/api/users/member", {"notify_by": "pigeon"})
    assert refused.status_code == 422
    member.refresh_from_db()
    assert member.notify_by == "both"


@pytest.mark.parametrize("persona", ["owner", "member", "seller", "marketer", "viewer"])
def test_anyone_reads_and_chooses_how_their_own_notices_reach_them(
    make_client: Callable[..., ApiClient], request: pytest.FixtureRequest, persona: str
) -> None:
    user = request.getfixturevalue(persona)
    mine = make_client(Scope.READ, Scope.ME_WRITE, user=user)
    assert mine.get("/api/me/notices").json() == {"username": persona, "notify_by": "email"}

    changed = mine.put("/api/me/notices", {"notify_by": "slack"})

    assert (changed.status_code, changed.json()) == (
        200, {"username": persona, "notify_by": "slack"}
    )  # fmt: skip
    assert User.objects.get(username=persona).notify_by == "slack"
    assert mine.get("/api/me/notices").json()["notify_by"] == "slack"
    (entry,) = AuditEntry.objects.filter(action__startswith="users")
    assert (entry.action, entry.actor_name, entry.via, entry.target, entry.detail) == (
        "users.notices", persona, "api", f"user {persona}", {"notify_by": ["email", "slack"]}
    )  # fmt: skip


def test_ones_own_notices_change_no_one_elses(
    make_client: Callable[..., ApiClient], seller: Any, member: Any
) -> None:
    make_client(Scope.ME_WRITE, user=seller).put("/api/me/notices", {"notify_by": "queue"})
    assert dict(User.objects.values_list("username", "notify_by")) == {
        "owner": "email", "seller": "queue", "member": "email"
    }  # fmt: skip


def test_the_same_choice_again_changes_nothing_and_writes_no_entry(
    make_client: Callable[..., ApiClient], seller: Any
) -> None:
    mine = make_client(Scope.ME_WRITE, user=seller)
    assert mine.put("/api/me/notices", {"notify_by": "email"}).status_code == 200
    assert not AuditEntry.objects.exists()


def test_a_choice_that_is_not_one_is_refused(
    make_client: Callable[..., ApiClient], seller: Any
) -> None:
    mine = make_client(Scope.ME_WRITE, user=seller)
    response = mine.put("/api/me/notices", {"notify_by": "fax"})
    assert response.status_code == 422
    assert User.objects.get(username="seller").notify_by == "email"


def test_my_notices_need_a_key_with_their_scope_and_an_active_user(
    make_client: Callable[..., ApiClient], anonymous: ApiClient, seller: Any
) -> None:
    assert anonymous.get("/api/me/notices").status_code == 401
    assert anonymous.put("/api/me/notices", {"notify_by": "queue"}).status_code == 401
    reader = make_client(Scope.READ, user=seller)
    assert reader.get("/api/me/notices").status_code == 200
    refused = reader.put("/api/me/notices", {"notify_by": "queue"})
    assert refused.status_code == 403
    assert "me:write" in refused.json()["detail"]
    writer = make_client(Scope.ME_WRITE, user=seller)
    assert writer.get("/api/me/notices").status_code == 403
    gone = make_client(Scope.ME_WRITE, user=seller)
    User.objects.filter(pk=seller.pk).update(is_active=False)
    assert gone.put("/api/me/notices", {"notify_by": "queue"}).status_code == 401
    assert User.objects.get(username="seller").notify_by == "email"


def test_the_signed_in_user_reads_their_own_notices_in_the_web_session(seller: Any) -> None:
    client = Client()
    client.force_login(seller)
    answer = client.get("/api/me/notices")
    assert (answer.status_code, answer.json()) == (
        200,
        {"username": "seller", "notify_by": "email"},
    )
