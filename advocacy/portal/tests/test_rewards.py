"""The advocate chooses their reward in the portal; a refusal says why and writes nothing."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.messaging.links import link_path
from advocacy.rewards import services
from advocacy.rewards.models import Entry, Redemption
from advocacy.rewards.tests.helpers import advocate

pytestmark = pytest.mark.django_db


def _portal() -> tuple[Client, int]:
    contact = advocate(first_name="Ann")
    services.credit(contact, 10_000, "a reference call", actor=None, now=timezone.now())
    client = Client()
    assert client.post(link_path(contact.pk)).status_code == 302
    return client, contact.pk


def test_the_advocate_sees_balance_and_tier_and_chooses_a_donation() -> None:
    client, contact_id = _portal()
    page = client.get(reverse("portal:rewards")).content.decode()
    assert 'data-testid="reward-balance">$100<' in page
    assert "Charity donation in your name" in page and "Code.org" in page
    answer = client.post(
        reverse("portal:rewards"),
        {"reward_type": "donation", "charity": "girls-who-code", "amount": "60"},
    )
    assert answer.status_code == 302
    made = Redemption.objects.get(contact_id=contact_id)
    assert (made.reward_type, made.charity, made.amount_cents) == (
        "donation",
        "girls-who-code",
        6_000,
    )
    after = client.get(reverse("portal:rewards")).content.decode()
    assert 'data-testid="reward-balance">$40<' in after


def test_more_than_the_balance_is_refused_with_the_reason() -> None:
    client, _ = _portal()
    before = Entry.objects.count()
    answer = client.post(reverse("portal:rewards"), {"reward_type": "gift_card", "amount": "500"})
    assert answer.status_code == 422
    assert "is more than" in answer.content.decode()
    assert Entry.objects.count() == before


def test_the_page_needs_the_portal_session() -> None:
    answer = Client().get(reverse("portal:rewards"))
    assert answer.status_code in (302, 403)
