"""Opening asks routes them and copies their checklists, in the same transaction."""

from __future__ import annotations

from typing import Any

import pytest

from advocacy.customers.models import Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.pipeline_flow import decline_ask
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.engine.services import open_manual_ask
from advocacy.engine.tests.conftest import NOW, sent_ask
from advocacy.pipeline.checklists import StepRefused, complete_step
from advocacy.pipeline.models import Ask, AskStep, AskType, RoutingRule

pytestmark = pytest.mark.django_db


def test_a_plays_asks_are_routed_and_get_their_checklist(
    ada: Contact, django_user_model: Any
) -> None:
    mark = django_user_model.objects.create_user("mark", role="marketing")
    RoutingRule.objects.create(
        name="reviews to mark",
        ask_type=AskType.objects.get(code="review"),
        owner=mark,
        created_at=NOW,
        updated_at=NOW,
    )
    request = AskRequest(ada.pk, AskType.objects.get(code="review"), "signal:1", play="p")
    opened = open_asks([request], now=NOW, policy=DEFAULT_POLICY).opened
    ask = Ask.objects.get(pk=opened[0].pk)
    assert (ask.owner_id, ask.owner_role) == (mark.pk, "marketing")
    assert AskStep.objects.filter(ask=ask).count() == 4
    assert [e.note for e in ask.events.all()] == [
        "opened by play p",
        "routed to mark (rule 'reviews to mark')",
    ]


def test_a_manual_ask_stays_with_whoever_opened_it(ada: Contact, member: Any) -> None:
    case = AskType.objects.get(code="reference_call")
    ask = open_manual_ask(ada, case, now=NOW, actor=member, policy=DEFAULT_POLICY)
    stored = Ask.objects.get(pk=ask.pk)
    assert (stored.owner_id, stored.owner_role) == (member.pk, "")
    assert AskStep.objects.filter(ask=ask).count() == 7


def test_a_declined_case_study_gives_way_to_a_referral_walked_to_its_end(
    ada: Contact, member: Any
) -> None:
    """GIVEN a case study half way through its checklist WHEN the advocate declines THEN the
    play's fallback referral gets its own checklist, which walks to completion; the declined
    ask's checklist is closed."""
    case = sent_ask(ada)
    steps = list(AskStep.objects.filter(ask=case))
    complete_step(steps[0], actor=member, now=NOW)
    result = decline_ask(case, actor=member, now=NOW, policy=DEFAULT_POLICY, note="too busy")
    assert result.fallback is not None
    with pytest.raises(StepRefused, match="its checklist is closed"):
        complete_step(steps[1], actor=member, now=NOW)
    referral = result.fallback
    for step in AskStep.objects.filter(ask=referral):
        complete_step(step, actor=member, now=NOW)
    assert Ask.objects.get(pk=referral.pk).status == "completed"
    assert AskStep.objects.filter(ask=referral, done_at=NOW).count() == 6


def test_without_rules_asks_are_written_routed_as_routing_them_after_would_have(
    django_user_model: Any,
) -> None:
    """GIVEN no routing rule WHEN asks are opened THEN each has the owner, role and event that
    routing the written asks gives (the play's owner, the account's owner, a pool), in one
    write."""
    from advocacy.customers.models import Account
    from advocacy.pipeline.models import AskEvent
    from advocacy.pipeline.routing import route_asks

    alice = django_user_model.objects.create_user("alice", role="cs")
    mark = django_user_model.objects.create_user("mark", role="marketing")
    review = AskType.objects.get(code="review")
    shapes = [(mark.pk, "cs"), (None, "cs"), (None, "marketing"), (None, ""), (mark.pk, "")]
    requests = []
    for i, (owner, role) in enumerate(shapes):
        account = Account.objects.create(name=f"A{i}", domain=f"a{i}.example", owner=alice)
        contact = Contact.objects.create(account=account, email=f"c{i}@a{i}.example")
        requests.append(
            AskRequest(contact.pk, review, f"m{i}", "p", owner_id=owner, owner_role=role)
        )
    opened = open_asks(requests, now=NOW, policy=DEFAULT_POLICY).opened

    def written() -> list[tuple[Any, ...]]:
        asks = Ask.objects.filter(pk__in=[a.pk for a in opened]).order_by("pk")
        return [
            (a.owner_id, a.owner_role, [e.note for e in AskEvent.objects.filter(ask=a)])
            for a in asks
        ]

    assert written() == [
        (mark.pk, "cs", ["opened by play p"]),
        (alice.pk, "cs", ["opened by play p", "routed to alice (no rule: the account's owner)"]),
        (None, "marketing", ["opened by play p"]),
        (alice.pk, "cs", ["opened by play p", "routed to alice (no rule: the account's owner)"]),
        (mark.pk, "", ["opened by play p"]),
    ]
    # Routing them again (as after writing them) changes nothing and notes nothing.
    before = written()
    assert route_asks([a.pk for a in opened], now=NOW) == {}
    assert written() == before
