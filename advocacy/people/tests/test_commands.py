"""`advocacy createuser` and `advocacy apikey`."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from advocacy.people.models import ApiKey, User

pytestmark = pytest.mark.django_db


def run(*args, stdin=None, monkeypatch=None):
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_createuser_reads_password_from_stdin(monkeypatch):
    out, _ = run(
        "createuser",
        "grace",
        "--role",
        "marketing",
        "--email",
        "grace@example.com",
        "--password-stdin",
        stdin="a long passphrase 42\n",
        monkeypatch=monkeypatch,
    )
    assert out == "created user grace (role Marketing)\n"
    user = User.objects.get(username="grace")
    assert (user.role, user.email, user.check_password("a long passphrase 42")) == (
        "marketing",
        "grace@example.com",
        True,
    )


def test_createuser_without_terminal_or_stdin_flag_refuses(monkeypatch):
    with pytest.raises(CommandError, match="no terminal to prompt for a password"):
        run("createuser", "grace", "--role", "cs", stdin="", monkeypatch=monkeypatch)


def test_createuser_refuses_a_weak_password(monkeypatch):
    with pytest.raises(CommandError, match="password refused"):
        run(
            "createuser",
            "grace",
            "--role",
            "cs",
            "--password-stdin",
            stdin="123\n",
            monkeypatch=monkeypatch,
        )
    assert User.objects.count() == 0


def test_apikey_create_prints_the_secret_once_then_list_and_revoke(member):
    out, err = run(
        "apikey", "create", "member", "--name", "crm", "--scope", "read", "--scope", "signals:write"
    )
    secret = out.strip()
    key = ApiKey.authenticate(secret)
    assert key is not None
    assert key.scopes == ["read", "signals:write"]
    assert err == (
        f"API key {key.prefix} (crm) for member, scopes read, signals:write. "
        "Store it now: it cannot be shown again.\n"
    )

    out, _ = run("apikey", "list", "--json")
    (row,) = json.loads(out)
    assert (row["prefix"], row["name"], row["user"], row["scopes"], row["revoked_at"]) == (
        key.prefix,
        "crm",
        "member",
        ["read", "signals:write"],
        None,
    )
    assert secret not in out

    out, _ = run("apikey", "list")
    assert out.splitlines()[1].split() == [
        key.prefix,
        "crm",
        "member",
        "active",
        "read",
        "signals:write",
    ]

    out, _ = run("apikey", "revoke", key.prefix)
    assert out == f"API key {key.prefix} revoked\n"
    assert ApiKey.authenticate(secret) is None


def test_apikey_create_json(member):
    out, _ = run("apikey", "create", "member", "--name", "ci", "--scope", "read", "--json")
    data = json.loads(out)
    assert (data["name"], data["scopes"]) == ("ci", ["read"])
    assert data["key"].startswith(f"adv_{data['prefix']}_")


def test_apikey_for_unknown_user_fails_clearly():
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        run("apikey", "create", "ghost", "--name", "x", "--scope", "read")


def test_apikey_list_when_empty():
    out, _ = run("apikey", "list")
    assert out == "no API keys yet: create one with `advocacy apikey create`\n"
