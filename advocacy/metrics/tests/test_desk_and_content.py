"""The reference desk's and content's metrics, computed by hand on a small fixture."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from advocacy.content.models import Asset, AssetUse, UseOutcome
from advocacy.customers.models import Account, Contact
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.metrics.catalogue import BY_CODE, compute, rows
from advocacy.metrics.periods import Segment, parse_period
from advocacy.metrics.queries import Evaluation
from advocacy.references.models import ReferenceAdvocate, ReferenceRequest

NOW = datetime(2026, 7, 10, 12, tzinfo=UTC)
Q2 = parse_period("2026-Q2", now=NOW)
MAY = datetime(2026, 5, 1, 9, tzinfo=UTC)


def request(
    owner: Any,
    industry: str,
    *,
    filed: datetime,
    filled_after_days: float | None = None,
    status: str = "open",
    needed_by: date = date(2026, 12, 1),
) -> ReferenceRequest:
    filled = None if filled_after_days is None else filed + timedelta(days=filled_after_days)
    return ReferenceRequest.objects.create(
        opportunity="Deal", prospect_company="Prospect", industry=industry, region="emea",
        needed_by=needed_by, requested_by=owner, status=status, filed_at=filed,
        filled_at=filled, updated_at=filed,
    )  # fmt: skip


@pytest.fixture
def desk(owner: Any) -> None:
    # Q2: 5 filed in Software (2 filled after 2 and 4 days, 1 still open before its date,
    # 1 offered past its date, 1 cancelled: not counted), 1 in Retail filled after 1 day.
    request(owner, "Software", filed=MAY, filled_after_days=2, status="scheduled")
    request(owner, "Software", filed=MAY, filled_after_days=4, status="completed")
    request(owner, "Software", filed=MAY)  # pending: open, needed by December
    request(owner, "Software", filed=MAY, status="offered", needed_by=date(2026, 6, 1))
    request(owner, "Software", filed=MAY, status="cancelled")
    request(owner, "Retail", filed=MAY, filled_after_days=1, status="scheduled")
    request(owner, "Software", filed=datetime(2026, 3, 1, tzinfo=UTC))  # before Q2, open now
    account = Account.objects.create(name="Acme", industry="Software", region="emea")
    for i, (ready, next_allowed) in enumerate(
        [(True, None), (True, NOW - timedelta(days=1)), (True, NOW + timedelta(days=3)),
         (False, None)]
    ):  # fmt: skip
        contact = Contact.objects.create(account=account, email=f"r{i}@acme.example")
        ReferenceAdvocate.objects.create(
            contact=contact, account_id=account.pk, industry="Software", region="emea",
            size_band="", ready=ready, next_allowed_at=next_allowed, refreshed_at=NOW,
        )  # fmt: skip


def value(code: str, segment: Segment | None = None) -> Any:
    ev = Evaluation(Q2, segment or Segment(), now=NOW, policy=DEFAULT_POLICY)
    return compute(BY_CODE[code], ev), ev


def test_fill_rate_counts_filled_over_decided_requests(desk: None) -> None:
    # filed 5 (the cancelled one left out), pending 1 → decided 4, filled 3 → 75%.
    result, ev = value("reference_fill_rate")
    assert (result.value, result.numerator, result.denominator) == (75.0, 3, 4)
    assert rows(BY_CODE["reference_fill_rate"], ev).count() == 5
    software, _ = value("reference_fill_rate", Segment(industry="Software"))
    assert (software.numerator, software.denominator) == (2, 3)


def test_time_to_fill_is_the_mean_days_over_filled_requests(desk: None) -> None:
    result, ev = value("time_to_fill")
    assert result.value == pytest.approx((2 + 4 + 1) / 3, abs=0.01)
    assert result.denominator == 3
    assert rows(BY_CODE["time_to_fill"], ev).count() == 3


def test_reference_availability_is_who_could_take_a_call_over_open_requests(desk: None) -> None:
    # available now: ready with no cap or a lapsed one (2 of 4); open now: the open and the
    # offered requests of Q2 and the open one from March (3).
    result, ev = value("reference_availability")
    assert (result.numerator, result.denominator) == (2, 3)
    assert result.value == pytest.approx(2 / 3, abs=0.001)
    assert rows(BY_CODE["reference_availability"], ev).count() == 2


def test_content_reuse_counts_recorded_uses_in_the_period(member: Any) -> None:
    account = Account.objects.create(name="Acme", industry="Software")
    other = Account.objects.create(name="Bolt", industry="Retail")
    assets = []
    for acc in (account, other):
        contact = Contact.objects.create(account=acc, email=f"a@{acc.name.lower()}.example")
        assets.append(
            Asset.objects.create(
                kind="quote",
                status="published",
                title="Q",
                contact=contact,
                account=acc,
                created_by=member,
                created_at=MAY,
                updated_at=MAY,
            )
        )
    for asset, outcome, at in [
        (assets[0], UseOutcome.RECORDED, MAY),
        (assets[0], UseOutcome.RECORDED, MAY + timedelta(days=3)),
        (assets[0], UseOutcome.REFUSED, MAY),
        (assets[1], UseOutcome.RECORDED, MAY),
        (assets[1], UseOutcome.RECORDED, NOW),  # after Q2
    ]:
        AssetUse.objects.create(asset=asset, channel="website", outcome=outcome, at=at)
    result, ev = value("content_reuse")
    assert result.value == 3
    assert rows(BY_CODE["content_reuse"], ev).count() == 3
    software, _ = value("content_reuse", Segment(industry="Software"))
    assert software.value == 2


def deal(owner: Any, ref: str, amount: int | None, result: str, **kw: Any) -> ReferenceRequest:
    r = request(owner, kw.pop("industry", "Software"), filed=kw.pop("filed", MAY), **kw)
    ReferenceRequest.objects.filter(pk=r.pk).update(
        opportunity_ref=ref, amount=amount, result=result
    )
    return r


@pytest.fixture
def deals(owner: Any) -> None:
    # Touched (filled) in Q2: OPP-1 open 100k, filed twice (counted once: the later request
    # decides, here also open); OPP-2 won 40k; a won deal with no CRM id, 10k; OPP-3 asked twice,
    # the earlier request open, the later one won, 25k: won, not open; a lost deal, 70k; an open
    # deal with no amount. Not counted: an open 500k deal never filled, a won 900k deal filed in
    # March, a won 300k deal in Retail when narrowed to Software.
    filled = {"filled_after_days": 2, "status": "scheduled"}
    deal(owner, "OPP-1", 100_000, "open", **filled)
    deal(owner, "OPP-1", 100_000, "open", **filled)
    deal(owner, "OPP-2", 40_000, "won", **filled)
    deal(owner, "", 10_000, "won", **filled)
    deal(owner, "OPP-3", 25_000, "open", **filled)
    deal(owner, "OPP-3", 25_000, "won", **filled)
    deal(owner, "OPP-4", 70_000, "lost", **filled)
    deal(owner, "OPP-5", None, "open", **filled)
    deal(owner, "OPP-6", 500_000, "open")
    deal(owner, "OPP-7", 900_000, "won", filed=datetime(2026, 3, 1, tzinfo=UTC), **filled)
    deal(owner, "OPP-8", 300_000, "won", industry="Retail", **filled)


def test_influenced_pipeline_is_the_open_deals_a_reference_touched(deals: None) -> None:
    result, ev = value("influenced_pipeline")
    assert (result.value, result.numerator) == (100_000.0, 2)  # OPP-1 once, OPP-5 with no amount
    assert sorted(
        rows(BY_CODE["influenced_pipeline"], ev).values_list("opportunity_ref", flat=True)
    ) == ["OPP-1", "OPP-5"]


def test_influenced_revenue_is_the_won_deals_a_reference_touched(deals: None) -> None:
    result, ev = value("influenced_revenue")
    assert (result.value, result.numerator) == (40_000 + 10_000 + 25_000 + 300_000, 4)
    assert rows(BY_CODE["influenced_revenue"], ev).count() == 4
    software, _ = value("influenced_revenue", Segment(industry="Software"))
    assert (software.value, software.numerator) == (75_000.0, 3)
