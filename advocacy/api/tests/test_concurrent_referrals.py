"""Eight processes referring the same prospect at once: one referral, the others refused with
the reason, no server error, one bonus when they all book its meeting at once.

Each worker is its own OS process with its own connection to the same PostgreSQL test database
(forked, see racing.py). SQLite takes its write lock at BEGIN (one writer at a time), so there
is no race to test there.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.test import Client

from advocacy.api.tests.racing import Call, race
from advocacy.people.models import ApiKey, Scope
from advocacy.referrals.models import Referral, ReferralEvent
from advocacy.referrals.tests.world import advocate
from advocacy.rewards.models import Entry

WORKERS = 8
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_first_referrer_wins_and_a_bonus_is_paid_once(postgres_only: None, owner: Any) -> None:
    ada = advocate()
    _, secret = ApiKey.issue(owner, "race", list(Scope.values))
    assert (
        Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/referrals").status_code
        == 200
    )
    body = {"advocate_id": ada.pk, "name": "Grace", "email": "grace@navy.example", "company": "N"}
    answers = race([Call("/api/referrals", body)], workers=WORKERS, secret=secret)
    assert Counter(a[0].status for a in answers) == Counter({201: 1, 409: WORKERS - 1})
    refused = {a[0].body["detail"] for a in answers if a[0].status == 409}
    assert refused == {
        "grace@navy.example has already been referred: "
        "the first referral of a prospect is the one that counts"
    }
    made = Referral.objects.get()
    moves = race(
        [Call(f"/api/referrals/{made.pk}/moves", {"to": "meeting_booked"})],
        workers=WORKERS,
        secret=secret,
    )
    assert Counter(a[0].status for a in moves) == Counter({200: 1, 409: WORKERS - 1})
    assert ReferralEvent.objects.filter(to_status="meeting_booked").count() == 1
    assert list(Entry.objects.values_list("amount_cents", flat=True)) == [100_00]
