"""A rise in tier is congratulated through the outbox, in the completing transaction."""

from __future__ import annotations

import pytest

from advocacy.messaging.models import Message, MessageKind
from advocacy.messaging.rendering import render
from advocacy.rewards.tests.helpers import advocate, complete
from advocacy.rewards.tests.test_tiers import EARLY

pytestmark = pytest.mark.django_db


def test_a_rise_in_tier_writes_one_message_in_the_same_transaction() -> None:
    contact = advocate()
    complete(contact, at=EARLY)  # Champion
    complete(contact, at=EARLY)  # still Champion
    third = complete(contact, at=EARLY)  # Advocate
    rows = list(
        Message.objects.filter(kind=MessageKind.TIER)
        .order_by("pk")
        .values_list("contact_id", "step", "ask_id")
    )
    assert rows[0][:2] == (contact.pk, 1)
    assert rows[1] == (contact.pk, 2, third.pk)
    assert len(rows) == 2


def test_the_tier_letter_names_the_tier() -> None:
    contact = advocate()
    complete(contact, at=EARLY)
    message = Message.objects.get(kind=MessageKind.TIER)
    email = render(message)
    assert email.subject.startswith("You are now a Champion")
    assert "you are now a Champion in our advocate program" in email.text
