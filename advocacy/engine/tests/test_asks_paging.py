"""advocacy asks list pages with --limit and --offset, and says when more rows exist."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from advocacy.customers.models import Contact
from advocacy.engine.tests.conftest import sent_ask

pytestmark = pytest.mark.django_db


def run(*args: str) -> Any:
    out = io.StringIO()
    call_command("asks", "list", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def five(ada: Contact) -> list[int]:
    types = ["review", "case_study", "reference_call", "testimonial_quote", "speaker"]
    asks = [sent_ask(ada, t, play="") for t in types]
    listed = json.loads(run("--json"))["asks"]
    assert sorted(a["id"] for a in listed) == sorted(a.pk for a in asks)
    return [a["id"] for a in listed]  # in the list's own order


def test_pages_follow_one_another_in_the_lists_order(five: list[int]) -> None:
    first = json.loads(run("--limit", "2", "--json"))
    assert {k: first[k] for k in ("total", "offset", "limit", "next_offset")} == {
        "total": 5, "offset": 0, "limit": 2, "next_offset": 2,
    }  # fmt: skip
    second = json.loads(run("--limit", "2", "--offset", "2", "--json"))
    last = json.loads(run("--limit", "2", "--offset", "4", "--json"))
    assert [a["id"] for a in first["asks"] + second["asks"] + last["asks"]] == five
    assert (second["next_offset"], last["next_offset"]) == (4, None)


def test_the_table_says_which_rows_it_shows_and_how_to_get_more(five: list[int]) -> None:
    assert run("--limit", "2").splitlines()[0].strip() == (
        "5 ask(s), showing 1-2; more with --offset 2"
    )
    assert run("--limit", "2", "--offset", "4").splitlines()[0].strip() == ("5 ask(s), showing 5-5")
    assert run().splitlines()[0].strip() == "5 ask(s)"
    assert run("--offset", "9").splitlines()[0].strip() == "5 ask(s), none from 10"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--limit", "0"], "--limit must be at least 1"),
        (["--limit", "20000"], "--limit is at most 10,000: page with --offset"),
        (["--offset", "-1"], "--offset must be at least 0"),
        (["--offset", "two"], "expected a whole number, got 'two'"),
    ],
)
def test_bad_paging_is_refused(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)
