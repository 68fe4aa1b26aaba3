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
