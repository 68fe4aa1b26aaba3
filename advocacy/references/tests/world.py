"""A small program for the desk's tests: advocates in a few segments, made ready by signals."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from django.contrib.auth import get_user_model

from advocacy.customers.models import Account, Contact
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.references.pool import refresh_pool
from advocacy.signals.models import Signal

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
_keys = itertools.count(1)


def signal(account: Account, kind: str, value: float | None, *, contact: Contact | None = None,
           at: dt.datetime | None = None) -> Signal:  # fmt: skip
    return Signal.objects.create(
        source="test", key=f"k{next(_keys)}", kind=kind, account=account, contact=contact,
        occurred_at=at or NOW - dt.timedelta(days=3), value=value,
    )  # fmt: skip


def advocate(
    email: str,
    *,
    industry: str = "SaaS",
    region: str = "emea",
    size_band: str = "enterprise",
    products: Sequence[str] = ("Core Platform",),
    use_cases: Sequence[str] = ("Usage-based billing",),
    nps: float = 10,
    health: float = 85,
    since_days: int = 400,
    at: dt.datetime = NOW,
    **account_flags: bool,
) -> Contact:
    """A contact whose reference-call requirements hold (the gate with the type's own
    thresholds: NPS, health, tenure, recent product activity, an owning CSM; the mature
    stage) as of `at`, on its own account in the given segment."""
    name = email.split("@")[1]
    account = Account.objects.create(
        name=name.split(".")[0].title(), domain=name, industry=industry, region=region,
        size_band=size_band, products=list(products), use_cases=list(use_cases),
        customer_since=(at - dt.timedelta(days=since_days)).date(), owner=csm(),
        **account_flags,
    )  # fmt: skip
    first, _, last = email.split("@")[0].partition(".")
    contact = Contact.objects.create(
        account=account, email=email, first_name=first.title(), last_name=last.title()
    )
    recently = at - dt.timedelta(days=3)
    signal(account, "nps", nps, contact=contact, at=recently)
    signal(account, "health_score", health, at=recently)
    signal(account, "activity", None, contact=contact, at=recently)
    return contact


def csm() -> object:
    """The customer success manager who owns the world's accounts."""
    user, _ = get_user_model().objects.get_or_create(
        username="world-csm", defaults={"email": "csm@example.com", "role": "cs"}
    )
    return user


def refresh(now: dt.datetime = NOW) -> int:
    return refresh_pool(now=now, policy=DEFAULT_POLICY)
