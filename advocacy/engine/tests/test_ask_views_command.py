"""advocacy asks list with the board's filters, and advocacy asks views list|save|remove."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from advocacy.customers.models import Contact
from advocacy.engine.tests.conftest import sent_ask
from advocacy.pipeline.board import SavedView
from advocacy.pipeline.models import Ask

pytestmark = pytest.mark.django_db


def run(*args: str) -> Any:
    out = io.StringIO()
    call_command("asks", *args, stdout=out)
    return out.getvalue()


def ids(*args: str) -> list[int]:
    return [a["id"] for a in json.loads(run("list", "--json", *args))["asks"]]


@pytest.fixture
def three(ada: Contact, seller: Any) -> tuple[Ask, Ask, Ask]:
    """An overdue case study of `member`, a review due in 3 days of `seller`, one due later."""
    now = timezone.now()
    overdue = sent_ask(ada)
    week = sent_ask(ada, "review", play="")
    later = sent_ask(ada, "testimonial_quote", play="")
    Ask.objects.filter(pk=overdue.pk).update(due_at=now - dt.timedelta(days=1))
    Ask.objects.filter(pk=week.pk).update(due_at=now + dt.timedelta(days=3), owner=seller)
    Ask.objects.filter(pk=later.pk).update(due_at=now + dt.timedelta(days=30))
    return overdue, week, later


def test_list_filters_by_owner_play_type_and_due(three: tuple[Ask, Ask, Ask]) -> None:
    overdue, week, later = three
    assert ids("--owner", "seller") == [week.pk]
    assert ids("--owner", "member") == [overdue.pk, later.pk]
    assert ids("--play", "expansion-case-study") == [overdue.pk]
    assert ids("--play", "-") == [week.pk, later.pk]
    assert ids("--ask-type", "review") == [week.pk]
    assert ids("--due", "overdue") == [overdue.pk]
    assert ids("--due", "week") == [week.pk]
    assert ids("--due", "later") == [later.pk]
    assert ids("--owner", "member", "--due", "later") == [later.pk]


def test_list_refuses_filters_that_are_not_values(three: Any) -> None:
    with pytest.raises(CommandError, match=r"^--owner: no user named 'nobody'$"):
        run("list", "--owner", "nobody")
    with pytest.raises(CommandError, match=r"^--ask-type: no ask type 'nope'; known: "):
        run("list", "--ask-type", "nope")


def test_save_list_use_and_remove_a_view(three: tuple[Ask, Ask, Ask], member: Any) -> None:
    overdue, week, _ = three
    saved = json.loads(
        run("views", "save", "My late", "--as", "member", "--mine", "--due", "overdue", "--json")
    )
    assert (saved["name"], saved["filters"]) == ("My late", {"due": "overdue", "mine": True})
    run("views", "save", "Seller", "--as", "member", "--owner", "seller")
    listed = json.loads(run("views", "list", "--as", "member", "--json"))
    assert listed["user"] == "member"
    assert [(v["name"], v["filters"]) for v in listed["views"]] == [
        ("My late", {"due": "overdue", "mine": True}),
        ("Seller", {"owner": "seller"}),
    ]
    table = run("views", "list", "--as", "member")
    assert "My late" in table and "due=overdue, mine" in table and "owner=seller" in table
    assert ids("--view", "My late", "--as", "member") == [overdue.pk]
    assert ids("--view", "Seller", "--as", "member") == [week.pk]
    assert ids("--view", "Seller", "--as", "member", "--due", "later") == []
    assert run("views", "remove", "Seller", "--as", "member") == "removed the view 'Seller'\n"
    assert list(SavedView.objects.values_list("name", flat=True)) == ["My late"]
    with pytest.raises(CommandError, match=r"^no saved view named 'Seller'; saved views: My late$"):
        run("views", "remove", "Seller", "--as", "member")


def test_views_are_per_user_and_need_one(three: Any, member: Any, viewer: Any) -> None:
    run("views", "save", "Late", "--as", "member", "--due", "overdue")
    with pytest.raises(CommandError, match=r"^views: say whose views with --as USER$"):
        run("views", "list")
    assert json.loads(run("views", "list", "--as", "viewer", "--json"))["views"] == []
    run("views", "save", "Late", "--as", "viewer", "--due", "week")  # a read-only user may
    assert sorted(SavedView.objects.values_list("user__username", "filters")) == [
        ("member", {"due": "overdue"}),
        ("viewer", {"due": "week"}),
    ]
    with pytest.raises(CommandError, match=r"^--view: no saved view named 'Nope'"):
        run("list", "--view", "Nope", "--as", "viewer")
    with pytest.raises(CommandError, match=r"^--view: say whose view with --as USER$"):
        run("list", "--view", "Late")
    with pytest.raises(CommandError, match=r"^name: give the view a name$"):
        run("views", "save", "  ", "--as", "viewer")


def test_an_inactive_user_may_not_keep_views(three: Any, member: Any) -> None:
    member.is_active = False
    member.save()
    with pytest.raises(CommandError, match="may not save and remove one's own views"):
        run("views", "save", "Late", "--as", "member")
    assert not SavedView.objects.exists()


def test_as_and_json_go_before_or_after_the_action(three: Any, member: Any) -> None:
    run("views", "--as", "member", "save", "Late", "--due", "overdue")
    before = json.loads(run("views", "--as", "member", "--json", "list"))
    after = json.loads(run("views", "list", "--as", "member", "--json"))
    assert before == after
    assert [v["name"] for v in after["views"]] == ["Late"]
