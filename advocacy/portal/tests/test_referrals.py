"""The portal's Refer a peer page: the advocate's own link and code, and the form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from advocacy.portal.tests.conftest import World, enter
from advocacy.referrals.models import Referral, ReferralCode

pytestmark = pytest.mark.django_db
PEER = {"name": "Grace Hopper", "email": "grace@navy.example", "company": "US Navy"}


def test_the_advocate_sees_their_link_and_refers_a_peer(world: World, settings: Any) -> None:
    client = Client()
    enter(client, world.ann)
    page = client.get("/portal/referrals/").content.decode()
    code = ReferralCode.objects.get(contact=world.ann).code
    assert f"{settings.SITE_URL}/r/{code}/" in page
    assert "A meeting booked earns you $100, a deal closed $1,000" in page
    sent = client.post("/portal/referrals/", PEER, follow=True).content.decode()
    assert "we will be in touch with Grace Hopper soon" in sent
    assert 'data-testid="referral-list"' in sent
    made = Referral.objects.get()
    assert (made.advocate, made.via) == (world.ann, "portal")
    again = client.post("/portal/referrals/", PEER)
    assert again.status_code == 422
    assert (
        "grace@navy.example has already been referred: the first referral of a prospect is "
        "the one that counts." in again.content.decode()
    )
    assert Referral.objects.count() == 1


def test_the_page_needs_the_portal_session(client: Client, member: Any) -> None:
    client.force_login(member)  # a staff login does not open the portal
    assert client.get("/portal/referrals/").status_code == 403
