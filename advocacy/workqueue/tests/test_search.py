"""Global search: by the start of names, emails, companies and titles, grouped by type, one
indexed query per group."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from advocacy.workqueue.search import LIMIT, search
from advocacy.workqueue.tests.search_world import world

pytestmark = pytest.mark.django_db


def titles(results: Any) -> dict[str, list[str]]:
    return {name: [h.title for h in hits] for name, hits in results.groups.items()}


def test_a_prefix_finds_each_kind_grouped(seller: Any) -> None:
    w = world(seller)

    found = search("  ADA ", user=seller)

    assert found.query == "ada"
    assert titles(found) == {
        "contacts": ["Hal Adair", "Ada Lovelace", "Adam Smith"],  # last name, email, first name
        "accounts": ["Adams & Co"],
        "asks": ["Review (G2, Capterra, TrustRadius) for Ada Lovelace"],
        "requests": ["Initech"],  # its opportunity: "Adaptive rollout"
        "content": [],
    }
    assert [h.id for h in found.groups["asks"]] == [w["ask"].pk]
    assert found.groups["contacts"][1].detail == "ada@acme.example · Acme Robotics"
    assert found.total == 6
    assert found.more == dict.fromkeys(
        ["contacts", "accounts", "asks", "requests", "content"], False
    )


def test_a_first_and_last_name_a_domain_a_title_and_an_ask_number(seller: Any) -> None:
    w = world(seller)
    assert titles(search("ada lov", user=seller))["contacts"] == ["Ada Lovelace"]
    assert titles(search("globex.ex", user=seller))["accounts"] == ["Globex"]
    assert titles(search("acme halves", user=seller))["content"] == ["Acme halves its billing time"]
    by_number = search(f"#{w['ask'].pk}", user=seller)
    assert [h.id for h in by_number.groups["asks"]] == [w["ask"].pk]
    # Only the start matches: "lace" is inside "Lovelace", not at its start.
    assert search("lace", user=seller).total == 0
    # Wildcards are text, not patterns.
    assert search("a%", user=seller).total == 0
    assert search("_da", user=seller).total == 0


def test_blank_long_and_limited(seller: Any) -> None:
    world(seller)
    assert search("   ", user=seller).groups == {}
    with pytest.raises(ValueError, match="search for at most 100 characters; 101 given"):
        search("x" * 101, user=seller)
    one = search("ada", user=seller, limit=1)
    assert titles(one)["contacts"] == ["Hal Adair"]
    assert one.more["contacts"] is True
    assert LIMIT == 10


def test_a_user_without_a_role_sees_nothing(seller: Any, django_user_model: Any) -> None:
    world(seller)
    nobody = django_user_model.objects.create_user("nobody", "n@example.com", "pw", role="")
    assert search("ada", user=nobody).groups == {}


def test_one_query_per_group_whatever_the_matches(
    seller: Any, django_assert_num_queries: Any
) -> None:
    world(seller)
    with django_assert_num_queries(5):  # contacts, accounts, asks, requests, content
        search("ada", user=seller)


def test_search_on_the_command_line(seller: Any) -> None:
    w = world(seller)
    out = StringIO()
    call_command("search", "ada", "lov", stdout=out)
    assert out.getvalue() == (
        "Contacts (1)\n"
        f"  contact {w['ada'].pk}: Ada Lovelace  (ada@acme.example · Acme Robotics)\n"
        "Asks (1)\n"
        f"  ask {w['ask'].pk}: Review (G2, Capterra, TrustRadius) for Ada Lovelace  (Proposed)\n"
    )
    out = StringIO()
    call_command("search", "initech", "--json", "--as", "seller", stdout=out)
    body = json.loads(out.getvalue())
    assert body["groups"]["requests"] == {
        "results": [{"kind": "request", "id": w["request"].pk, "title": "Initech",
                     "detail": "Adaptive rollout · Open"}],
        "more": False,
    }  # fmt: skip
    out = StringIO()
    call_command("search", "zzz", stdout=out)
    assert out.getvalue() == "Nothing starts with “zzz”.\n"
    with pytest.raises(CommandError, match="--limit must be 1 or more"):
        call_command("search", "ada", "--limit", "0")
