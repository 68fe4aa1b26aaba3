"""Advocates for the recognition tests: champions by their activities, consent on their assets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from advocacy.content.models import AssetStatus
from advocacy.content.tests.conftest import NOW, advocate, asset_in
from advocacy.customers.models import Contact
from advocacy.rewards.tests.helpers import complete

__all__ = ["NOW", "champion", "consented", "dt"]


def champion(email: str, *, activities: int = 1, at: dt.datetime = NOW, **fields: Any) -> Contact:
    """An advocate with `activities` completed a minute before `at` (one makes the Champion
    tier of that quarter)."""
    contact = advocate(email, **fields)
    for _ in range(activities):
        complete(contact, at=at - dt.timedelta(minutes=1))
    return contact


def consented(contact: Contact, scopes: list[str], **fields: Any) -> Any:
    return asset_in(AssetStatus.PUBLISHED, contact=contact, scopes=scopes, **fields)
