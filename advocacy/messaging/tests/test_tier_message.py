"""A rise in tier is congratulated through the outbox, in the completing transaction."""

from __future__ import annotations

import pytest

from advocacy.messaging.models import Message, MessageKind
from advocacy.messaging.rendering import render
from advocacy.rewards.tests.helpers import advocate, complete
from advocacy.rewards.tests.test_tiers import EARLY

pytestmark = pytest.mark.django_db


def test_a_rise_in_tier_writes_one_message_in_the_same_transaction() -> None:
    """GIVEN an advocate WHEN their activities lift them to Champion, then to Advocate THEN
    one message, for the rise to Advocate: the first activity's thank-you is the first one."""
    contact = advocate()
    complete(contact, at=EARLY)  # Champion: the thank-you tells it
    complete(contact, at=EARLY)  # still Champion
    third = complete(contact, at=EARLY)  # Advocate
    rows = list(
        Message.objects.filter(kind=MessageKind.TIER)
        .order_by("pk")
        .values_list("contact_id", "step", "ask_id")
    )
    assert rows == [(contact.pk, 2, third.pk)]


def test_the_tier_letter_names_the_tier() -> None:
    contact = advocate()
    for _ in range(3):
        complete(contact, at=EARLY)
    message = Message.objects.get(kind=MessageKind.TIER)
    email = render(message)
    assert email.subject == "You have reached Advocate, there"
    assert "you have reached the Advocate tier of our advocate program" in email.text
