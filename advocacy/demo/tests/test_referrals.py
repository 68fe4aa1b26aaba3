"""The demo refers a few peers in every status, through the services (bonuses included)."""

from __future__ import annotations

import datetime as dt

import pytest

from advocacy.demo.generator import DemoProgram, DemoSize
from advocacy.demo.referrals import REFERRED, seed_referrals
from advocacy.demo.services import ensure_demo_user, load_program
from advocacy.referrals.models import Referral, ReferralCode
from advocacy.rewards.models import Entry

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_seeding_refers_peers_in_every_status_once() -> None:
    load_program(DemoProgram(DemoSize(20, 100, 1000, seed=3), now=NOW), now=NOW)
    user = ensure_demo_user()
    first = seed_referrals(user=user, now=NOW)
    again = seed_referrals(user=user, now=NOW)
    assert (first["referrals"], again["referrals"]) == (len(REFERRED), 0)
    assert sorted(set(Referral.objects.values_list("status", flat=True))) == [
        "closed_lost",
        "closed_won",
        "meeting_booked",
        "qualified",
        "submitted",
    ]
    assert ReferralCode.objects.count() == len(REFERRED)
    # Five meetings booked ($100 each), a deal closed ($1,000), an enterprise deal ($5,000).
    assert sorted(
        Entry.objects.filter(referral__isnull=False).values_list("amount_cents", flat=True)
    ) == ([100_00] * 5 + [1_000_00, 5_000_00])
