"""Builders of content tests: an advocate at an account, and assets in any state."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from advocacy.content.models import Asset, AssetKind, AssetStatus
from advocacy.content.services import create_asset, grant_consent
from advocacy.customers.models import Account, Contact

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
_serial = itertools.count(1)
ALL_SCOPES = ["name", "logo", "title", "quote", "video", "press"]


def advocate(email: str = "ada@acme.example", **fields: Any) -> Contact:
    domain = email.split("@")[1]
    account = Account.objects.get_or_create(
        domain=domain,
        defaults={"name": "Acme Robotics", "industry": "manufacturing", "size_band": "mid"},
    )[0]
    fields.setdefault("first_name", "Ada")
    fields.setdefault("last_name", "Lovelace")
    fields.setdefault("title", "VP Operations")
    return Contact.objects.create(account=account, email=email, **fields)


def case_study(contact: Contact | None = None, *, actor: Any = None, **fields: Any) -> Asset:
    values: dict[str, Any] = {
        "headline": "Cut onboarding time by 40%",
        "overview": "Acme Robotics builds warehouse robots for 300 sites.",
        "challenge": "Acme Robotics took six weeks to onboard a site; Ada's team was swamped.",
        "solution": "They rolled out guided onboarding across every site.",
        "results": ["Onboarding down 40%", "Support tickets halved", "NPS up 22 points"],
        "quote": "Ada here: we got our weekends back.",
        "look_ahead": "Next: the European sites.",
    }
    values.update(fields)
    return create_asset(
        kind=AssetKind.CASE_STUDY,
        title="Acme Robotics onboards sites in days",
        contact=contact or advocate(),
        actor=actor,
        now=NOW,
        **values,
    )


def asset_in(
    status: str,
    *,
    kind: str = AssetKind.QUOTE,
    scopes: list[str] | None = None,
    expires_at: dt.datetime | None = None,
    contact: Contact | None = None,
) -> Asset:
    """An asset put straight into `status`, with a consent in force (all scopes by default)."""
    asset = create_asset(
        kind=kind,
        title=f"{kind} {status}",
        contact=contact or advocate(f"{status}.{kind}.{next(_serial)}@acme.example"),
        actor=None,
        now=NOW,
        body="It changed how we work.",
    )
    grant_consent(
        asset,
        ALL_SCOPES if scopes is None else scopes,
        expires_at=expires_at or NOW + dt.timedelta(days=365),
        actor=None,
        now=NOW,
        granted_at=NOW - dt.timedelta(days=400),
    )
    Asset.objects.filter(pk=asset.pk).update(status=status)
    asset.status = status
    return asset


__all__ = ["ALL_SCOPES", "NOW", "AssetStatus", "advocate", "asset_in", "case_study"]
