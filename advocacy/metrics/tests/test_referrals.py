"""Referral volume counts referrals (by referral id), not their status updates."""

from __future__ import annotations

from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.metrics.catalogue import BY_CODE, compute, rows
from advocacy.metrics.periods import Segment, parse_period
from advocacy.metrics.queries import Evaluation
from advocacy.metrics.tests.world import NOW, World, at
from advocacy.signals.models import Signal

Q2 = parse_period("2026-Q2", now=NOW)


def status(world_contact, when, key, payload=None, source="t"):
    return Signal.objects.create(
        source=source, key=key, kind="referral_status", account=world_contact.account,
        contact=world_contact, occurred_at=when, payload=payload or {},
    )  # fmt: skip


def referrals(segment: Segment | None = None) -> float | None:
    ev = Evaluation(Q2, segment or Segment(), now=NOW, policy=DEFAULT_POLICY)
    return compute(BY_CODE["referrals"], ev).value


def test_status_updates_of_one_referral_count_once(world: World):
    # The world has Alan's referral of 1 April without a referral id: one referral.
    assert referrals() == 1
    status(world.ada, at(4, 20), "r1", {"referral_id": "R-1", "status": "submitted"})
    status(world.ada, at(5, 3), "r2", {"referral_id": "R-1", "status": "meeting_booked"})
    status(world.ada, at(6, 9), "r3", {"referral_id": "R-1", "status": "deal_closed"})
    assert referrals() == 2
    # The same referral reported by another source is still the same referral.
    status(world.ada, at(6, 10), "x1", {"referral_id": "R-1"}, source="crm")
    assert referrals() == 2


def test_a_referral_counts_in_the_period_of_its_first_status(world: World):
    status(world.ada, at(3, 28), "r1", {"referral_id": "R-old"})  # first status in March
    status(world.ada, at(4, 2), "r2", {"referral_id": "R-old"})
    status(world.ada, at(6, 30, hour=23), "r3", {"referral_id": "R-new"})
    status(world.ada, at(7, 2), "r4", {"referral_id": "R-new"})  # after the period
    status(world.ada, at(7, 3), "r5", {"referral_id": "R-late"})  # first status after
    assert referrals() == 2  # Alan's and R-new


def test_statuses_without_a_referral_id_count_one_each(world: World):
    status(world.ada, at(4, 20), "r1")
    status(world.ada, at(4, 21), "r2", {"referral_id": ""})  # empty: no id
    status(world.ada, at(4, 22), "r3", {"status": "submitted"})
    assert referrals() == 4  # Alan's and these three


def test_referrals_opened_through_the_pipeline_count(world: World):
    for i, (stage, when) in enumerate((("submitted", at(5, 1)), ("meeting_booked", at(5, 20)))):
        status(world.alice, when, f"p{i}", {"referral_id": "ask-42", "status": stage,
                                              "ask_id": 42}, source="pipeline")  # fmt: skip
    status(world.bob, at(5, 2), "p9", {"referral_id": "ask-43", "status": "submitted"})
    assert referrals() == 3
    assert referrals(Segment(industry="Finance")) == 1  # Bob's, at Bolt


def test_the_rows_behind_are_each_referrals_first_status(world: World):
    first = status(world.ada, at(4, 20), "r1", {"referral_id": "R-1"})
    status(world.ada, at(5, 3), "r2", {"referral_id": "R-1"})
    tie_a = status(world.bob, at(5, 5), "r3", {"referral_id": "R-2"})
    status(world.bob, at(5, 5), "r4", {"referral_id": "R-2"})  # same moment: the lower id wins
    ev = Evaluation(Q2, Segment(), now=NOW, policy=DEFAULT_POLICY)
    alan = Signal.objects.get(kind="referral_status", contact=world.alan)
    got = set(rows(BY_CODE["referrals"], ev).values_list("pk", flat=True))
    assert got == {alan.pk, first.pk, tie_a.pk}
    assert compute(BY_CODE["referrals"], ev).value == 3
