"""`advocacy connectors`: add prints the url once, the others never show a secret; roles."""

from __future__ import annotations

import base64
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from advocacy.integrations.connectors.models import Connection

pytestmark = pytest.mark.django_db
SECRET = "whsec_" + base64.b64encode(b"a signing secret of 32 bytes ok!").decode()


def run(*args: str) -> str:
    out = StringIO()
    call_command("connectors", *args, stdout=out)
    return out.getvalue()


def test_add_prints_the_url_on_the_site_url_and_its_settings(settings):
    settings.SITE_URL = "https://advocacy.example.com"
    data = json.loads(run("add", "webhook", "--name", "CS platform", "--secret", SECRET,
                          "--option", "identity_source=crm", "--json"))  # fmt: skip
    assert data["url"].startswith("https://advocacy.example.com/hooks/")
    assert (data["kind"], data["name"], data["options"], data["has_secret"]) == (
        "webhook",
        "CS platform",
        {"identity_source": "crm"},
        True,
    )
    token = data["url"].rstrip("/").rsplit("/", 1)[1]
    shown = run("show", "CS platform", "--json") + run("list", "--json")
    assert token not in shown and SECRET not in shown
    assert json.loads(run("show", "CS platform", "--json"))["url"].endswith(token[:8] + "…/")


def test_remove_stops_the_url_and_frees_the_name():
    run("add", "webhook", "--name", "crm", "--secret", SECRET)
    assert "removed" in run("remove", "crm")
    assert Connection.objects.get().removed_at is not None
    run("add", "webhook", "--name", "crm", "--secret", SECRET)
    assert Connection.objects.count() == 2


def test_a_member_may_see_but_not_add(member, owner):
    run("list", "--as", "member")
    with pytest.raises(CommandError, match="may not add or remove connections"):
        run("add", "webhook", "--name", "x", "--secret", SECRET, "--as", "member")
    run("add", "webhook", "--name", "x", "--secret", SECRET, "--as", "owner")


def test_a_seller_may_not_see_the_inbox(seller):
    with pytest.raises(CommandError, match="may not see connections"):
        run("inbox", "--as", "seller")
