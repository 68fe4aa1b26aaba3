"""Creating users and managing API keys through the services."""

import datetime as dt

import pytest

from advocacy.people.models import ApiKey, Role, Scope, User
from advocacy.people.services import (
    PeopleError,
    create_user,
    issue_api_key,
    list_api_keys,
    revoke_api_key,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def test_create_user_with_role_and_password():
    user = create_user(
        "ada",
        role="admin",
        email=" Ada@Example.com ",
        password="a long passphrase 42",
        actor=None,
        now=NOW,
    )
    user.refresh_from_db()
    assert (user.username, user.role, user.email, user.is_staff) == (
        "ada",
        Role.ADMIN,
        "ada@example.com",
        True,
    )
    assert user.check_password("a long passphrase 42") is True
    assert user.date_joined == NOW


def test_user_without_password_cannot_log_in():
    user = create_user("bot", role="cs", password=None, actor=None, now=NOW)
    assert user.has_usable_password() is False
    assert user.is_staff is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"username": "x", "role": "boss"},
            "unknown role 'boss': expected one of admin, cs, sales, marketing",
        ),
        ({"username": " ", "role": "cs"}, "username is empty"),
        ({"username": "x", "role": "cs", "email": "not-an-email"}, "invalid email 'not-an-email'"),
        ({"username": "x", "role": "cs", "password": "123"}, "password refused: "),
    ],
)
def test_create_user_refusals(kwargs, message):
    kwargs.setdefault("password", None)
    with pytest.raises(PeopleError) as excinfo:
        create_user(actor=None, now=NOW, **kwargs)
    assert str(excinfo.value).startswith(message)
    assert User.objects.count() == 0


def test_duplicate_username_is_refused(member):
    with pytest.raises(PeopleError, match="a user named 'member' already exists"):
        create_user("member", role="cs", password=None, actor=None, now=NOW)


def test_issue_list_and_revoke_a_key(member):
    key, secret = issue_api_key(
        "member", name="crm", scopes=["signals:write", "read", "read"], actor=None, now=NOW
    )
    assert key.scopes == ["read", "signals:write"]
    assert ApiKey.authenticate(secret).pk == key.pk
    (info,) = list_api_keys()
    assert (info.prefix, info.name, info.username, info.scopes, info.active) == (
        key.prefix,
        "crm",
        "member",
        ("read", "signals:write"),
        True,
    )
    assert revoke_api_key(key.prefix, actor=None, now=NOW) is True
    assert revoke_api_key(secret, actor=None, now=NOW) is False  # the whole key works too
    assert ApiKey.authenticate(secret) is None
    assert list_api_keys(include_revoked=False) == []
    assert list_api_keys()[0].revoked_at == NOW


@pytest.mark.parametrize(
    ("username", "name", "scopes", "message"),
    [
        ("nobody", "x", [Scope.READ], "no user named 'nobody'"),
        ("member", " ", [Scope.READ], "a key needs a name"),
        ("member", "x", [], "a key needs at least one scope"),
        ("member", "x", ["admin"], "unknown scope admin: expected some of read, "),
    ],
)
def test_issue_refusals(member, username, name, scopes, message):
    with pytest.raises(PeopleError) as excinfo:
        issue_api_key(username, name=name, scopes=scopes, actor=None, now=NOW)
    assert str(excinfo.value).startswith(message)


def test_revoke_unknown_prefix():
    with pytest.raises(PeopleError, match="no API key with prefix 'abcd1234'"):
        revoke_api_key("abcd1234", actor=None, now=NOW)
