"""Fill rate and time-to-fill per segment, worked by hand on a small fixture."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from advocacy.references.models import ReferenceRequest, RequestStatus
from advocacy.references.stats import desk_stats
from advocacy.references.tests.world import NOW

pytestmark = pytest.mark.django_db
S = RequestStatus


def make(seller: Any, industry: str, region: str, status: str, *, filed_days_ago: int,
         filled_after_hours: float | None = None, needed_in_days: int = 7) -> None:  # fmt: skip
    filed = NOW - dt.timedelta(days=filed_days_ago)
    ReferenceRequest.objects.create(
        opportunity="o", prospect_company="p", industry=industry, region=region,
        size_band="enterprise", needed_by=(NOW + dt.timedelta(days=needed_in_days)).date(),
        requested_by=seller, status=status, filed_at=filed, updated_at=filed,
        filled_at=None if filled_after_hours is None
        else filed + dt.timedelta(hours=filled_after_hours),
    )  # fmt: skip


def test_fill_rate_time_to_fill_and_the_alert(seller: Any, settings: Any) -> None:
    settings.REFERENCE_FILL_ALERT = 0.70
    # SaaS / EMEA: 3 filled (10 h, 20 h, 60 h), 1 unfilled, 1 still being worked (pending).
    make(seller, "SaaS", "emea", S.COMPLETED, filed_days_ago=20, filled_after_hours=10)
    make(seller, "SaaS", "emea", S.SCHEDULED, filed_days_ago=10, filled_after_hours=20)
    make(seller, "saas", "emea", S.COMPLETED, filed_days_ago=30, filled_after_hours=60)
    make(seller, "SaaS", "emea", S.UNFILLED, filed_days_ago=15)
    make(seller, "SaaS", "emea", S.OPEN, filed_days_ago=2)
    # Banking / NA: 1 filled (5 h), 1 offered past its needed-by date (missed), 1 cancelled.
    make(seller, "Banking", "na", S.COMPLETED, filed_days_ago=40, filled_after_hours=5)
    make(seller, "Banking", "na", S.OFFERED, filed_days_ago=40, needed_in_days=-1)
    make(seller, "Banking", "na", S.CANCELLED, filed_days_ago=5)
    # Filed before the period: left out.
    make(seller, "Banking", "na", S.UNFILLED, filed_days_ago=100)

    stats = desk_stats(start=NOW - dt.timedelta(days=90), end=NOW, now=NOW)

    o = stats.overall
    assert (o.filed, o.filled, o.pending, o.decided, o.fill_rate) == (7, 4, 1, 6, 0.6667)
    assert (o.median_hours, o.mean_hours) == (15.0, 23.8)  # 5, 10, 20, 60
    by_industry = {s.value: s for s in stats.by("industry")}
    saas, banking = by_industry["saas"], by_industry["banking"]
    assert (saas.filed, saas.filled, saas.pending, saas.fill_rate) == (5, 3, 1, 0.75)
    assert (saas.median_hours, saas.mean_hours) == (20.0, 30.0)
    assert (banking.filed, banking.filled, banking.fill_rate) == (2, 1, 0.5)
    assert [(s.dimension, s.label) for s in stats.alerts] == [
        ("all", "All requests"), ("industry", "Banking"), ("region", "North America"),
        ("size_band", "Enterprise (1,000-9,999)"),  # every request here is enterprise: 4 / 6
    ]  # fmt: skip
    assert stats.as_dict()["alerts"][0] == "All requests: fill rate 67% is under 70%"
    assert (
        desk_stats(start=NOW - dt.timedelta(days=90), end=NOW, now=NOW, threshold=0.5).alerts == []
    )
