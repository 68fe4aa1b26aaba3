"""Influenced pipeline and revenue on the synced deals, the won deals with a reference call and
the deal cycle's acceleration, computed by hand on a small set of deals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from advocacy.content.models import Asset, AssetUse, UseOutcome
from advocacy.customers.models import Account, Contact, Deal, DealContact
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.metrics.catalogue import BY_CODE, compute, rows
from advocacy.metrics.periods import Segment, parse_period
from advocacy.metrics.queries import Evaluation
from advocacy.references.models import ReferenceRequest
from advocacy.referrals.tests.world import advocate, refer

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 7, 10, 12, tzinfo=UTC)
Q2 = parse_period("2026-Q2", now=NOW)


def noon(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 12, tzinfo=UTC)


def call(owner: Any, ref: str, status: str = "completed", **kw: Any) -> ReferenceRequest:
    return ReferenceRequest.objects.create(
        opportunity="Deal", opportunity_ref=ref, prospect_company="Prospect",
        industry="Software", needed_by=date(2026, 12, 1), requested_by=owner, status=status,
        filed_at=noon(4, 1), filled_at=noon(4, 2), updated_at=noon(4, 2), **kw,
    )  # fmt: skip


def deal(ref: str, account: Account, amount: int, *, opened: datetime, **kw: Any) -> Deal:
    return Deal.objects.create(
        source="hubspot", external_id=ref, account=account, name=ref, amount=Decimal(amount),
        currency="USD", opened_at=opened, **kw,
    )  # fmt: skip


def won(on: date) -> dict[str, Any]:
    return {"is_won": True, "is_closed": True, "closed_on": on, "stage": "closedwon"}


def use(asset: Asset, ref: str, outcome: str = UseOutcome.RECORDED) -> AssetUse:
    return AssetUse.objects.create(
        asset=asset, channel="sales_deck", outcome=outcome, at=noon(5, 1), opportunity_ref=ref
    )


@pytest.fixture
def deals(owner: Any, member: Any) -> None:
    acme = Account.objects.create(name="Acme", industry="Software")
    bolt = Account.objects.create(name="Bolt", industry="Retail")
    author = Contact.objects.create(account=acme, email="author@acme.example")
    asset = Asset.objects.create(
        kind="case_study", status="published", title="Acme story", contact=author,
        account=acme, created_by=member, created_at=noon(3, 1), updated_at=noon(3, 1),
    )  # fmt: skip
    referral = refer(advocate(), 1, at=noon(2, 1))
    referred = Contact.objects.create(account=bolt, email=referral.prospect_email)
    # Won in Q2: CRM-1 (Acme, 100k, 30 days) by a reference call AND a case study: once in the
    # total; CRM-2 (Bolt, 50k, 100 days) by a referral; CRM-3 (Bolt, 20k, 40 days) by none.
    deal("CRM-1", acme, 100_000, opened=noon(4, 1), **won(date(2026, 5, 1)))
    call(owner, "CRM-1")
    use(asset, "CRM-1")
    d2 = deal("CRM-2", bolt, 50_000, opened=noon(3, 1), **won(date(2026, 6, 9)))
    DealContact.objects.create(deal=d2, contact=referred, role="decision maker")
    deal("CRM-3", bolt, 20_000, opened=noon(4, 10), **won(date(2026, 5, 20)))
    # Won before Q2 with a reference call: not in the period.
    deal("CRM-4", acme, 900_000, opened=noon(1, 5), **won(date(2026, 3, 15)))
    call(owner, "CRM-4")
    # Open, opened in Q2: CRM-5 only scheduled (no call held) and a refused use: not
    # influenced; CRM-6 by content (30k); CRM-7 by a reference call and the referral (10k).
    deal("CRM-5", acme, 70_000, opened=noon(5, 5))
    call(owner, "CRM-5", status="scheduled")
    use(asset, "CRM-5", UseOutcome.REFUSED)
    deal("CRM-6", acme, 30_000, opened=noon(5, 6))
    use(asset, "CRM-6")
    d7 = deal("CRM-7", bolt, 10_000, opened=noon(6, 1))
    call(owner, "CRM-7")
    DealContact.objects.create(deal=d7, contact=referred)
    # Lost in Q2 with a reference call: neither pipeline nor revenue.
    deal("CRM-8", acme, 60_000, opened=noon(4, 3), is_closed=True, closed_on=date(2026, 5, 3))
    call(owner, "CRM-8")


def value(code: str, segment: Segment | None = None) -> tuple[Any, Evaluation]:
    ev = Evaluation(Q2, segment or Segment(), now=NOW, policy=DEFAULT_POLICY)
    return compute(BY_CODE[code], ev), ev


def figures(code: str, segment: Segment | None = None) -> tuple[Any, Any]:
    result, _ = value(code, segment)
    return (result.value, result.numerator)


def refs(code: str) -> list[str]:
    _, ev = value(code)
    return sorted(rows(BY_CODE[code], ev).values_list("external_id", flat=True))


def test_influenced_revenue_counts_each_won_deal_once_whatever_its_sources(deals: None) -> None:
    assert figures("influenced_revenue") == (150_000.0, 2)
    assert refs("influenced_revenue") == ["CRM-1", "CRM-2"]
    assert figures("influenced_revenue_reference") == (100_000.0, 1)
    assert figures("influenced_revenue_content") == (100_000.0, 1)
    assert figures("influenced_revenue_referral") == (50_000.0, 1)
    assert refs("influenced_revenue_referral") == ["CRM-2"]
    assert figures("influenced_revenue", Segment(industry="Software")) == (100_000.0, 1)


def test_influenced_pipeline_counts_the_open_deals_opened_in_the_period(deals: None) -> None:
    assert figures("influenced_pipeline") == (40_000.0, 2)
    assert refs("influenced_pipeline") == ["CRM-6", "CRM-7"]
    assert figures("influenced_pipeline_reference") == (10_000.0, 1)
    assert figures("influenced_pipeline_content") == (30_000.0, 1)
    assert figures("influenced_pipeline_referral") == (10_000.0, 1)


def test_won_deals_with_a_reference_call_over_all_wins(deals: None) -> None:
    result, _ = value("reference_win_share")
    assert (result.numerator, result.denominator) == (1, 3)
    assert round(result.value, 4) == 33.3333
    assert refs("reference_win_share") == ["CRM-1", "CRM-2", "CRM-3"]


def test_deal_cycle_acceleration_with_a_reference_against_without(deals: None) -> None:
    # With a reference call: 30 days; without: (100 + 40) / 2 = 70 days.
    result, _ = value("deal_cycle_acceleration")
    assert (result.value, result.numerator, result.denominator) == (40.0, 30.0, 70.0)
    assert refs("deal_cycle_acceleration") == ["CRM-1", "CRM-2", "CRM-3"]


def test_without_deals_synced_the_request_amounts_are_the_fallback(owner: Any) -> None:
    call(owner, "OPP-1", amount=Decimal(40_000), result="won")
    assert figures("influenced_revenue") == (40_000.0, 1)
    _, ev = value("influenced_revenue")
    assert rows(BY_CODE["influenced_revenue"], ev).model is ReferenceRequest
    for code in ("influenced_revenue_reference", "reference_win_share", "deal_cycle_acceleration"):
        assert value(code)[0].value is None
    # Once a deal is synced, the deals decide: OPP-1 is not one of them.
    deal(
        "CRM-9",
        Account.objects.create(name="Zed"),
        5_000,
        opened=noon(4, 1),
        **won(date(2026, 5, 1)),
    )
    assert figures("influenced_revenue") == (0.0, 0)


def test_the_dashboard_shows_the_figures_and_the_deals_behind_them(
    deals: None, client: Any, member: Any
) -> None:
    client.force_login(member)
    query = "?period=2026-Q2"
    page = client.get(f"/metrics/{query}").content.decode()
    for name in ("Influenced revenue by content", "Deals won with reference call influence"):
        assert name in page
    listed = client.get(f"/metrics/influenced_revenue/{query}")
    assert listed.status_code == 200
    text = listed.content.decode()
    assert '<p data-testid="row-count">2 deals.</p>' in text
    assert '<th scope="row">CRM-1</th>' in text
    assert "reference content </td>" in text
    assert "CRM-3" not in text
