"""Advocates and referrals for the referrals tests."""

from __future__ import annotations

import datetime as dt

from advocacy.customers.models import Contact
from advocacy.pipeline.tests.factories import make_contact
from advocacy.referrals.models import Referral, Via
from advocacy.referrals.services import Prospect, submit

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def advocate() -> Contact:
    return make_contact()


def prospect(n: int = 1, **fields: str) -> Prospect:
    values = {
        "name": f"Grace Hopper {n}",
        "email": f"grace{n}@prospect{n}.example",
        "company": f"Prospect {n}",
        **fields,
    }
    return Prospect(**values)


def refer(who: Contact, n: int = 1, *, at: dt.datetime = NOW, **fields: str) -> Referral:
    return submit(who, prospect(n, **fields), via=Via.STAFF, actor=None, now=at)
