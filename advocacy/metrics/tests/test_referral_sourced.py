"""Referral-sourced pipeline and revenue, from the referral rows, each referral once."""

from __future__ import annotations

import datetime as dt

import pytest

from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.metrics.catalogue import BY_CODE, compute, rows
from advocacy.metrics.periods import Segment, parse_period
from advocacy.metrics.queries import Evaluation
from advocacy.referrals.models import ReferralStatus
from advocacy.referrals.services import move
from advocacy.referrals.tests.world import advocate, refer

pytestmark = pytest.mark.django_db
S = ReferralStatus
UTC = dt.UTC


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 12, tzinfo=UTC)


def _qualified(n: int, when: dt.datetime, deal: int | None) -> object:
    made = refer(advocate(), n, at=when - dt.timedelta(days=2))
    move(made, S.MEETING_BOOKED, actor=None, now=when - dt.timedelta(days=1))
    return move(made, S.QUALIFIED, actor=None, now=when, deal_cents=deal)


def test_pipeline_and_revenue_count_each_referral_once() -> None:
    # Qualified in April, moved back and qualified again in May: April's pipeline, once.
    back = _qualified(1, at(4, 10), 40_000_00)
    move(back, S.MEETING_BOOKED, actor=None, now=at(5, 1))
    move(back, S.QUALIFIED, actor=None, now=at(5, 2))
    # Qualified in May, won in June: in the pipeline and in the revenue.
    won = _qualified(2, at(5, 10), 120_000_00)
    move(won, S.CLOSED_WON, actor=None, now=at(6, 1))
    # Qualified in May and lost: still pipeline the quarter had.
    lost = _qualified(3, at(5, 12), 10_000_00)
    move(lost, S.CLOSED_LOST, actor=None, now=at(6, 2))
    # Qualified before the quarter, won in it: revenue only.
    early = _qualified(4, at(3, 20), 5_000_00)
    move(early, S.CLOSED_WON, actor=None, now=at(4, 2))
    refer(advocate(), 5, at=at(5, 5))  # submitted only: neither
    now = at(7, 1)
    ev = Evaluation(parse_period("2026-Q2", now=now), Segment(), now=now, policy=DEFAULT_POLICY)
    pipeline = compute(BY_CODE["referral_pipeline"], ev)
    revenue = compute(BY_CODE["referral_revenue"], ev)
    assert (pipeline.value, pipeline.numerator) == (170_000.0, 3)
    assert (revenue.value, revenue.numerator) == (125_000.0, 2)
    assert sorted(rows(BY_CODE["referral_pipeline"], ev).values_list("pk", flat=True)) == sorted(
        [back.pk, won.pk, lost.pk]  # type: ignore[attr-defined]
    )
    april = parse_period("2026-04", now=now)
    ev = Evaluation(april, Segment(), now=now, policy=DEFAULT_POLICY)
    assert compute(BY_CODE["referral_pipeline"], ev).value == 40_000.0
