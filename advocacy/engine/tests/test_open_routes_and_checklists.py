"""Opening asks routes them and copies their checklists, in the same transaction."""

from __future__ import annotations

from typing import Any

import pytest

from advocacy.customers.models import Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.engine.services import open_manual_ask
from advocacy.engine.tests.conftest import NOW
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
