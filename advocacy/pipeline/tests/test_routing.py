"""Routing: each kind of rule picks its owner, defaults hold, and the packaging is handed off."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError

from advocacy.pipeline.models import Ask, AskEvent, AskStatus, AskType, RoutingRule
from advocacy.pipeline.routing import route_asks
from advocacy.pipeline.services import advance_ask, advance_asks
from advocacy.pipeline.tests.factories import NOW, make_ask, make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("alice", role="cs")


@pytest.fixture
def mark(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("mark", role="marketing")


def rule(name: str, **fields: Any) -> RoutingRule:
    return RoutingRule.objects.create(name=name, created_at=NOW, updated_at=NOW, **fields)


def test_a_rule_by_ask_type_picks_its_user(alice: Any) -> None:
    rule("case studies to alice", ask_type=AskType.objects.get(code="case_study"), owner=alice)
    case = make_ask("case_study")
    review = make_ask("review")
    assert (case.owner_id, case.owner_role) == (alice.pk, "cs")
    assert (review.owner_id, review.owner_role) == (None, "cs")
    event = AskEvent.objects.get(ask=case)
    assert event.note == "routed to alice (rule 'case studies to alice')"
    assert (event.from_status, event.to_status) == ("proposed", "proposed")


@pytest.mark.parametrize(
    ("criterion", "matching", "other"),
    [
        ({"region": "emea"}, {"region": "emea"}, {"region": "apac"}),
        ({"size_band": "enterprise"}, {"size_band": "enterprise"}, {"size_band": "smb"}),
        ({"industry": "Healthcare"}, {"industry": "healthcare"}, {"industry": "Retail"}),
    ],
)
def test_a_rule_by_segment_picks_its_user(
    alice: Any, criterion: dict[str, str], matching: dict[str, str], other: dict[str, str]
) -> None:
    rule("segment", owner=alice, **criterion)
    hit = make_ask(contact=make_contact(**matching))
    miss = make_ask(contact=make_contact(**other))
    assert hit.owner_id == alice.pk
    assert miss.owner_id is None


def test_a_rule_by_account_owner_picks_its_pool(alice: Any, mark: Any) -> None:
    rule("alice's accounts to marketing", account_owner=alice, role="marketing")
    hit = make_ask(contact=make_contact(owner=alice))
    miss = make_ask(contact=make_contact(owner=mark))
    assert (hit.owner_id, hit.owner_role) == (None, "marketing")
    # No rule for mark's account: the CS pool's default is the account's owner.
    assert (miss.owner_id, miss.owner_role) == (mark.pk, "cs")


def test_the_first_enabled_rule_by_position_wins(alice: Any, mark: Any) -> None:
    rule("disabled", position=1, owner=mark, enabled=False)
    rule("second", position=20, owner=mark)
    rule("first", position=10, owner=alice, region="emea")
    assert make_ask(contact=make_contact(region="emea")).owner_id == alice.pk
    assert make_ask(contact=make_contact(region="apac")).owner_id == mark.pk


def test_defaults_the_plays_owner_then_the_account_owner_then_the_pool(
    alice: Any, mark: Any
) -> None:
    plays_owner = make_ask(contact=make_contact(owner=alice), owner=mark, owner_role="cs")
    account_owner = make_ask(contact=make_contact(owner=alice), owner_role="cs")
    marketing_play = make_ask(contact=make_contact(owner=alice), owner_role="marketing")
    nobody = make_ask(contact=make_contact())
    assert (plays_owner.owner_id, plays_owner.owner_role) == (mark.pk, "cs")
    assert (account_owner.owner_id, account_owner.owner_role) == (alice.pk, "cs")
    assert (marketing_play.owner_id, marketing_play.owner_role) == (None, "marketing")
    assert (nobody.owner_id, nobody.owner_role) == (None, "cs")
    assert AskEvent.objects.filter(ask=plays_owner).count() == 0  # nothing changed


def test_a_rule_without_a_role_takes_its_users_role(mark: Any) -> None:
    rule("to mark", owner=mark)
    assert make_ask().owner_role == "marketing"


def test_a_rule_needs_a_user_or_a_pool() -> None:
    with pytest.raises(IntegrityError):
        rule("nowhere")


def test_completing_hands_the_ask_off_to_marketing(alice: Any) -> None:
    ask = make_ask(status=AskStatus.ACCEPTED, contact=make_contact(owner=alice))
    assert (ask.owner_id, ask.owner_role) == (alice.pk, "cs")
    advance_ask(ask, AskStatus.COMPLETED, actor=alice, now=NOW, note="call done")
    stored = Ask.objects.get(pk=ask.pk)
    assert (stored.owner_id, stored.owner_role) == (None, "marketing")
    assert (ask.owner_id, ask.owner_role) == (None, "marketing")
    event = AskEvent.objects.filter(ask=ask).last()
    assert event is not None
    assert (event.from_status, event.to_status) == ("accepted", "completed")
    assert event.note == (
        "call done; handed off to packaging: routed to the marketing pool "
        "(no rule: the packaging stage's pool)"
    )
    # Publishing stays in the packaging stage: no second handoff.
    advance_ask(ask, AskStatus.PUBLISHED, actor=alice, now=NOW)
    assert AskEvent.objects.filter(ask=ask).last().note == ""  # type: ignore[union-attr]


def test_a_packaging_rule_picks_the_publisher(alice: Any, mark: Any) -> None:
    rule("mark publishes", stage="packaging", owner=mark)
    rule("alice nominates", stage="relationship", owner=alice)
    asks = [make_ask(status=AskStatus.SCHEDULED) for _ in range(3)]
    assert {a.owner_id for a in asks} == {alice.pk}
    moved = advance_asks([a.pk for a in asks], AskStatus.COMPLETED, actor=None, now=NOW)
    assert moved.moved == sorted(a.pk for a in asks)
    assert set(Ask.objects.values_list("owner_id", "owner_role")) == {(mark.pk, "marketing")}
    notes = set(AskEvent.objects.filter(to_status="completed").values_list("note", flat=True))
    assert notes == {"handed off to packaging: routed to mark (rule 'mark publishes')"}


def test_routing_costs_the_same_queries_for_one_ask_and_for_many(
    alice: Any, mark: Any, django_assert_num_queries: Any
) -> None:
    one = [make_ask(opened=False).pk]
    regions = ["emea", "apac"] * 30
    many = [make_ask(opened=False, contact=make_contact(region=r)).pk for r in regions]
    rule("emea to alice", region="emea", owner=alice)
    rule("rest to mark", owner=mark)
    # Savepoint, rules, the asks with their rule, one UPDATE, the new owners' asks for their
    # notices, the notices, usernames, one INSERT, release.
    with django_assert_num_queries(9):
        assert len(route_asks(one, now=NOW + dt.timedelta(hours=1))) == 1
    with django_assert_num_queries(9):
        assert len(route_asks(many, now=NOW + dt.timedelta(hours=1))) == 60
    assert Ask.objects.filter(owner=alice, owner_role="cs").count() == 30
    assert Ask.objects.filter(owner=mark, owner_role="marketing").count() == 31
