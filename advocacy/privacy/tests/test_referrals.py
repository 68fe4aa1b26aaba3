"""A person's referrals in the privacy export and erasure: as referrer, and as the prospect."""

from __future__ import annotations

from typing import Any

import pytest

from advocacy.customers.models import Account, Contact
from advocacy.privacy.services import erase_person, export_person
from advocacy.referrals.models import Referral, ReferralCode, ReferralEvent
from advocacy.referrals.services import code_for
from advocacy.referrals.tests.world import NOW, advocate, refer

pytestmark = pytest.mark.django_db


def test_the_referrer_export_lists_their_referrals_without_the_peers_address(owner: Any) -> None:
    ada = advocate()
    made = refer(ada, 1)
    doc = export_person(ada, actor=owner, via="cli", now=NOW)
    assert doc["referrals"] == [
        {
            "type": "referral_made",
            "id": made.pk,
            "prospect_company": "Prospect 1",
            "status": "submitted",
            "deal_cents": None,
            "via": "staff",
            "submitted_at": "2026-06-01T12:00:00+00:00",
            "closed_at": None,
        }
    ]


def test_erasing_the_referrer_removes_their_referrals_code_and_moves(owner: Any) -> None:
    ada = advocate()
    code_for(ada, now=NOW)
    refer(ada, 1)
    erase_person(ada, actor=owner, via="cli", now=NOW, reason="asked")
    assert (Referral.objects.count(), ReferralEvent.objects.count()) == (0, 0)
    assert ReferralCode.objects.count() == 0


def test_a_prospect_who_became_a_contact_is_blanked_in_the_referral(owner: Any) -> None:
    ada = advocate()
    made = refer(ada, 1, title="CTO", note="met at the conference")
    grace = Contact.objects.create(
        account=Account.objects.create(name="Prospect 1"), email="grace1@prospect1.example"
    )
    assert export_person(grace, actor=owner, via="cli", now=NOW)["referrals"] == [
        {
            "type": "referred",
            "prospect_name": "Grace Hopper 1",
            "prospect_email": "grace1@prospect1.example",
            "prospect_company": "Prospect 1",
            "prospect_title": "CTO",
            "submitted_at": "2026-06-01T12:00:00+00:00",
        }
    ]
    erase_person(grace, actor=owner, via="cli", now=NOW, reason="asked")
    made.refresh_from_db()
    assert (made.prospect_name, made.prospect_email, made.prospect_title, made.note) == (
        "(erased)",
        f"erased-{made.pk}",
        "",
        "",
    )
    assert (made.advocate, made.prospect_company, made.status) == (ada, "Prospect 1", "submitted")
