"""Every metric of the catalogue, computed by hand on the small world of world.py and compared."""

from __future__ import annotations

import pytest

from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.metrics.catalogue import BY_CODE, CATALOGUE, Metric, compute, evaluate, rows
from advocacy.metrics.periods import Segment, parse_period
from advocacy.metrics.queries import Evaluation
from advocacy.metrics.tests.world import NOW, World

Q2 = parse_period("2026-Q2", now=NOW)
Q2_MONTHS = 91 / (365.25 / 12)


def values(segment: Segment | None = None) -> dict[str, float | None]:
    ev = Evaluation(Q2, segment or Segment(), now=NOW, policy=DEFAULT_POLICY)
    return {v.metric.code: v.value for v in evaluate(ev)}


EXPECTED = {
    # Reachable profiles: Ada champion (NPS 10, health 80), Alan advocate (9, 60), Alice
    # satisfied (9, 75), Bob none (5, 40); Bea (ambassador) opted out and is left out.
    "advocates": 2,  # Ada, Alan
    "advocate_coverage": 50.0,  # eligible Ada and Alice (Alan's health is 60); Ada covered
    "advocacy_ready_accounts": 1,  # Ada and Alice are ready, both at Acme
    "active_advocates": 1,  # Ada (10 April, 10 June); Alan's referral of 1 April is 91 days old
    "activation_rate": 50.0,  # 1 of 2 advocates
    "new_advocates": 1,  # Alice's first ever activity is 2 May; the others started before
    "advocate_retention": pytest.approx(
        200 / 3
    ),  # Alan, Bob, Bea active a year before; Bea not since
    # Advocates Ada (a review on 10 April, a reference on 10 June) and Alan (the referral of
    # 1 April): 3 activities / 2 advocates. Alice's and Bob's reviews are not advocates'.
    "activities_per_advocate": 1.5,
    "reviews": 3,
    "review_velocity": pytest.approx(3 / Q2_MONTHS),
    "review_rating": 4.5,  # 5 and 4; Bob's review has no rating
    "referrals": 1,
    "reference_calls": 1,
    "case_studies_published": 0,
    "testimonials_published": 0,
    "asks_opened": 4,  # k1..k4; k5 opened in March
    "ask_acceptance": 50.0,  # all 4 sent, k1 and k3 accepted
    "ask_completion": 50.0,  # k1 of k1, k3
    "ask_to_publish": 25.0,  # k1 of 4 sent
    "case_study_conversion": 50.0,  # k3 of k3, k4
    "review_response_rate": 50.0,  # k1 of k1, k2
    "time_to_publish": 18.0,  # k1 5 days, k5 31 days (published in April, opened in March)
    "play_lift": pytest.approx(200 / 3),  # asked 2 of 3 converted, held out 0 of 2
    "nps": pytest.approx(100 / 6),  # 6 answers: 3 promoters, 2 detractors
    "advocate_nps": pytest.approx(200 / 3),  # Ada 10, Alan 8, Bea 10: 2 promoters of 3
}
# The world holds no reference requests nor uses of content: their metrics are worked out by
# hand in test_desk_and_content.py; here they show what an empty desk and library give.
EXPECTED.update(
    reference_fill_rate=None, time_to_fill=None, reference_availability=None, content_reuse=0
)
# No reference request in this world: no deal a reference touched (worked out by hand in
# test_desk_and_content.py on a fixture that has them).
EXPECTED.update(influenced_pipeline=0.0, influenced_revenue=0.0)
# No deal synced in this world: the deal-based figures have no number (worked out by hand in
# test_deal_attribution.py).
EXPECTED.update(
    {
        f"influenced_{which}_{source}": None
        for which in ("pipeline", "revenue")
        for source in ("reference", "content", "referral")
    },
    reference_win_share=None,
    deal_cycle_acceleration=None,
)
# Acme's expansion of 9 May follows Ada's review of 10 April (and asks k1, k5 completed and
# published in April); it carries no amount (worked out in test_expansion.py).
EXPECTED.update(influenced_expansion=1, influenced_expansion_amount=0.0)
# No referral recorded in this world (worked out in test_referral_sourced.py).
EXPECTED.update(referral_pipeline=0.0, referral_revenue=0.0)


def test_every_metric_is_worked_out_here():
    assert {m.code for m in CATALOGUE} == set(EXPECTED)
    assert all(m.available for m in CATALOGUE)


def test_a_metric_that_needs_a_missing_part_has_no_number(world: World):
    planned = Metric(
        code="planned", name="Planned", formula="-", unit="count", seed="-", group="program",
        needs="a part of the product not there yet",
    )  # fmt: skip
    got = compute(planned, Evaluation(Q2, Segment(), now=NOW, policy=DEFAULT_POLICY))
    assert (got.available, got.value, got.numerator) == (False, None, None)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_metric_matches_the_hand_computation(world: World, code: str):
    assert values()[code] == EXPECTED[code]


def test_a_segment_narrows_every_metric_to_its_contacts(world: World):
    got = values(Segment(persona="champion"))  # Ada only
    assert (got["advocates"], got["reviews"], got["asks_opened"], got["nps"]) == (1, 1, 1, 100.0)
    got = values(Segment(industry="Software", region="na", persona="champion"))  # Ada
    assert (got["advocates"], got["reviews"], got["advocate_coverage"]) == (1, 1, 100.0)
    got = values(Segment(industry="Finance"))  # Bob, and Bea (opted out)
    assert (got["advocates"], got["reviews"], got["asks_opened"]) == (0, 1, 1)
    assert got["advocate_nps"] == 100.0  # Bea's 10: her answer counts, she was asked before


def test_the_lift_interval_is_the_normal_approximation(world: World):
    ev = Evaluation(Q2, Segment(), now=NOW, policy=DEFAULT_POLICY)
    (lift,) = ev.lifts
    assert (lift.asked, lift.asked_converted, lift.held_out, lift.held_out_converted) == (
        3,
        2,
        2,
        0,
    )
    spread = 1.96 * ((2 / 3) * (1 / 3) / 3) ** 0.5 * 100
    assert lift.interval == pytest.approx((200 / 3 - spread, 200 / 3 + spread))


def test_the_funnel_by_moment_and_persona(world: World):
    ev = Evaluation(Q2, Segment(), now=NOW, policy=DEFAULT_POLICY)
    moment = ev.funnel_by("moment")
    stages = ("opened", "sent", "accepted", "completed", "published", "declined")
    assert [moment["nps"][s] for s in stages] == [1, 1, 1, 1, 1, 0]
    assert moment["expansion"]["sent"] == 1  # k3; k4 has no trigger signal
    assert [moment["manual"][s] for s in stages] == [2, 2, 0, 0, 0, 1]
    persona = ev.funnel_by("persona")
    assert {k: v["opened"] for k, v in persona.items()} == {
        "admin": 1, "champion": 1, "end_user": 1, "executive": 1
    }  # fmt: skip


def test_review_response_by_tactic(world: World):
    ev = Evaluation(Q2, Segment(), now=NOW, policy=DEFAULT_POLICY)
    assert ev.tactics == {
        "nps_follow_up": {"sent": 1, "accepted": 1},
        "csm_personal_ask": {"sent": 1, "accepted": 0},
    }


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("advocates", {"ada@acme.test", "alan@acme.test"}),
        ("new_advocates", {"alice@acme.test"}),
        ("active_advocates", {"ada@acme.test"}),
        ("advocate_retention", {"alan@acme.test", "bob@bolt.test", "bea@bolt.test"}),
    ],
)
def test_drill_down_lists_the_contacts_behind_the_number(world: World, code: str, expected):
    ev = Evaluation(Q2, Segment(), now=NOW, policy=DEFAULT_POLICY)
    assert set(rows(BY_CODE[code], ev).values_list("email", flat=True)) == expected


def test_drill_down_of_a_rate_lists_its_denominator(world: World):
    ev = Evaluation(Q2, Segment(), now=NOW, policy=DEFAULT_POLICY)
    sent = rows(BY_CODE["case_study_conversion"], ev)
    assert sorted(sent.values_list("contact__email", flat=True)) == [
        "alan@acme.test",
        "bob@bolt.test",
    ]
    assert rows(BY_CODE["reviews"], ev).count() == 3
    assert rows(BY_CODE["play_lift"], ev).count() == 5


def test_the_whole_catalogue_costs_a_bounded_number_of_queries(
    world, django_assert_max_num_queries
):
    """One query per shared aggregate, plus one for the referrals (each counted once), one
    for the expansions, one for the referral-sourced pipeline and revenue and one for the
    attribution on the synced deals (which also says whether any deal was synced)."""
    ev = Evaluation(Q2, Segment(), now=NOW, policy=DEFAULT_POLICY)
    with django_assert_max_num_queries(18):
        evaluate(ev)


def test_docs_list_every_metric_with_its_formula_unit_and_seed():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "metrics.md").read_text()
    for m in CATALOGUE:
        assert f"| `{m.code}` | {m.name} | {m.formula}" in text, m.code
        assert f"| {m.unit} | {m.seed} |" in text, m.code
