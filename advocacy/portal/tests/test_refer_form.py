"""The public referral form at /r/<code>/: no login, a thank-you, an unknown code, a rate."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from advocacy.core.rates import parse_rate
from advocacy.referrals.models import Referral
from advocacy.referrals.services import code_for
from advocacy.referrals.tests.world import advocate

pytestmark = pytest.mark.django_db
PEER = {"name": "Grace Hopper", "email": "grace@navy.example", "company": "US Navy"}


def test_a_peer_refers_themselves_through_the_link(client: Client) -> None:
    ada = advocate()
    ada.first_name = "Ada"
    ada.save()
    code = code_for(ada, now=timezone.now())
    page = client.get(f"/r/{code}/")
    assert page.status_code == 200
    assert "Ada thought we should meet" in page.content.decode()
    sent = client.post(f"/r/{code.lower()}/", PEER, follow=True)
    assert 'data-testid="refer-thanks"' in sent.content.decode()
    made = Referral.objects.get()
    assert (made.advocate, made.via, made.prospect_domain) == (ada, "form", "navy.example")
    assert list(made.events.values_list("by", flat=True)) == ["the public form"]


def test_an_unknown_code_gets_a_helpful_page(client: Client) -> None:
    page = client.get("/r/NOSUCHCODE/")
    assert page.status_code == 404
    assert "We don't recognise this link" in page.content.decode()


def test_a_refusal_keeps_what_was_typed(client: Client) -> None:
    ada = advocate()
    code = code_for(ada, now=timezone.now())
    page = client.post(f"/r/{code}/", {**PEER, "email": ada.email})
    html = page.content.decode()
    assert page.status_code == 422
    assert "is already one of our customers" in html and 'value="Grace Hopper"' in html
    assert Referral.objects.count() == 0


def test_the_form_needs_its_csrf_token() -> None:
    code = code_for(advocate(), now=timezone.now())
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/r/{code}/", PEER).status_code == 403
    assert Referral.objects.count() == 0


def test_each_address_has_a_rate(client: Client, settings: Any) -> None:
    settings.REFERRAL_FORM_RATE = parse_rate("2/hour")
    code = code_for(advocate(), now=timezone.now())
    for n in range(2):
        client.post(f"/r/{code}/", {**PEER, "email": f"p{n}@p{n}.example"})
    third = client.post(f"/r/{code}/", {**PEER, "email": "p3@p3.example"})
    assert third.status_code == 429
    assert "Too many referrals from your address" in third.content.decode()
    assert int(third["Retry-After"]) >= 1
    assert Referral.objects.count() == 2
