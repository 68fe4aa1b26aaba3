"""The rewards page: spend, tiers, redemptions to review and fulfil, the ledger."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.rewards import services
from advocacy.rewards.models import Redemption
from advocacy.rewards.tests.helpers import advocate

pytestmark = pytest.mark.django_db


def _redemption() -> Redemption:
    contact = advocate(first_name="Grace", last_name="Hopper")
    now = timezone.now()
    services.credit(contact, 10_000, "a reference call", actor=None, now=now)
    return services.redeem(contact, 4_000, "gift_card", actor=None, now=now)


def test_the_page_shows_spend_tiers_and_what_waits(client: Client, marketer: Any) -> None:
    made = _redemption()
    client.force_login(marketer)
    html = client.get(reverse("web:rewards")).content.decode()
    assert 'data-testid="rewards-spend"' in html
    assert html.count('data-testid="tier-row"') == 3
    assert "$40" in html and "Gift card" in html
    assert reverse("web:redemption_fulfil", args=[made.pk]) in html
    partial = client.get(reverse("web:rewards"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'data-testid="redemption-row"' in partial


def test_marketing_fulfils_a_redemption(client: Client, marketer: Any) -> None:
    made = _redemption()
    client.force_login(marketer)
    url = reverse("web:redemption_fulfil", args=[made.pk])
    assert client.post(url, {"delivered": "Gift card sent"}).status_code == 302
    made.refresh_from_db()
    assert (made.status, made.delivered, made.fulfilled_by) == (
        "fulfilled",
        "Gift card sent",
        marketer,
    )


def test_a_seller_may_see_but_not_fulfil(client: Client, seller: Any) -> None:
    made = _redemption()
    client.force_login(seller)
    assert client.get(reverse("web:rewards")).status_code == 200
    url = reverse("web:redemption_fulfil", args=[made.pk])
    assert client.post(url, {"delivered": "x"}).status_code == 403
    made.refresh_from_db()
    assert made.status == "requested"


def test_release_and_refuse_say_what_came_of_them(client: Client, marketer: Any) -> None:
    made = _redemption()  # waiting for fulfilment, not held: it cannot be released
    client.force_login(marketer)
    page = client.post(reverse("web:redemption_release", args=[made.pk]), follow=True)
    assert "Not released:" in page.content.decode()
    refused = client.post(reverse("web:redemption_refuse", args=[made.pk]), follow=True)
    assert "Not refused: a refusal needs a reason." in refused.content.decode()
    done = client.post(
        reverse("web:redemption_refuse", args=[made.pk]), {"reason": "duplicate"}, follow=True
    )
    assert "Refused: the advocate&#x27;s balance is restored." in done.content.decode()
    made.refresh_from_db()
    assert made.status == "refused"
