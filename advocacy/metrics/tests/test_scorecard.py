"""The scorecard: seed 000's example ships, values over trailing windows, what is behind."""

from __future__ import annotations

import dataclasses

import pytest

from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.metrics.catalogue import BY_CODE
from advocacy.metrics.models import ScorecardEntry
from advocacy.metrics.scorecard import ScorecardError, remove_entry, scorecard, set_entry
from advocacy.metrics.tests.world import NOW, World, set_example_targets


@pytest.mark.django_db
def test_seed_000s_metrics_ship_as_the_default_without_targets():
    rows = ScorecardEntry.objects.values_list("metric", "baseline", "target", "window", "cadence")
    assert list(rows) == [
        ("reviews", None, None, "quarter", "monthly"),
        ("referrals", None, None, "month", "monthly"),
        ("case_study_conversion", None, None, "quarter", "quarterly"),
        ("influenced_expansion", None, None, "quarter", "quarterly"),
    ]


def test_a_fresh_program_shows_no_target_never_a_judgement(world: World):
    rows = scorecard(now=NOW, policy=DEFAULT_POLICY)
    got = [(r.metric.code, r.value, r.status, r.status_label, r.progress) for r in rows]
    assert got == [
        ("reviews", 2, "no_target", "No target set", None),
        ("referrals", 0, "no_target", "No target set", None),
        ("case_study_conversion", 50.0, "no_target", "No target set", None),
        ("influenced_expansion", 1, "no_target", "No target set", None),  # Acme, 9 May
    ]
    assert [(r.baseline_text, r.target_text, r.is_behind) for r in rows] == [
        ("no baseline", "no target", False)
    ] * 4
    assert [r.as_dict()["target"] for r in rows] == [None] * 4
    assert [r.as_dict()["baseline"] for r in rows] == [None] * 4


def test_a_target_without_a_baseline_is_judged_against_the_target_alone(world: World):
    set_entry("reviews", target=4, window="quarter", now=NOW)
    row = _row("reviews")
    assert (row.value, row.status, row.progress, row.baseline_text, row.target_text) == (
        2, "behind", None, "no baseline", "4"
    )  # fmt: skip
    set_entry("reviews", target=2, window="quarter", now=NOW)
    assert _row("reviews").status == "met"


def test_a_baseline_without_a_target_is_not_judged(world: World):
    set_entry("reviews", baseline=12, window="quarter", now=NOW)
    row = _row("reviews")
    assert (row.status, row.progress, row.baseline_text, row.target_text) == (
        "no_target", None, "12", "no target"
    )  # fmt: skip


def test_progress_and_what_is_behind(world: World):
    set_example_targets()
    rows = scorecard(now=NOW, policy=DEFAULT_POLICY)
    got = [(r.metric.code, r.value, r.status, r.progress) for r in rows]
    # The quarter is 10 April 12:00 to 10 July 12:00: Ada's review of 10 April 10:00 is out,
    # Alice's and Bob's are in. No referral in the last 30 days. Case studies: k3 of k3, k4.
    assert got == [
        ("reviews", 2, "below_baseline", pytest.approx(-10 / 13 * 100)),
        ("referrals", 0, "below_baseline", pytest.approx(-60.0)),
        ("case_study_conversion", 50.0, "met", pytest.approx(42 / 7 * 100)),
        ("influenced_expansion", 1, "no_target", None),
    ]
    assert [r.is_behind for r in rows] == [True, True, False, False]


def test_between_baseline_and_target_is_behind(world: World):
    set_entry("reviews", baseline=1, target=4, window="quarter", now=NOW)
    row = _row("reviews")
    assert (row.value, row.status, row.progress) == (2, "behind", pytest.approx(100 / 3))


def test_lower_is_better_metrics_meet_their_target_from_above(world: World):
    set_entry("time_to_publish", baseline=40, target=20, window="quarter", now=NOW)
    # k1 published 10 April 10:00 is out of the window; k5 (31 days, 20 April) is in.
    row = _row("time_to_publish")
    assert (row.value, row.status, row.progress) == (31, "behind", pytest.approx(45.0))
    set_entry("time_to_publish", baseline=40, target=35, window="quarter", now=NOW)
    assert _row("time_to_publish").status == "met"
    set_entry("time_to_publish", baseline=30, target=20, window="quarter", now=NOW)
    assert _row("time_to_publish").status == "below_baseline"


def _row(code: str):
    return next(r for r in scorecard(now=NOW, policy=DEFAULT_POLICY) if r.metric.code == code)


def test_an_unavailable_metric_says_so(world: World, owner, monkeypatch):
    planned = dataclasses.replace(BY_CODE["influenced_pipeline"], value=None, rows=None)
    monkeypatch.setitem(BY_CODE, "influenced_pipeline", planned)
    set_entry("influenced_pipeline", baseline=None, target=70, actor=owner, now=NOW)
    row = _row("influenced_pipeline")
    assert (row.value, row.status, row.status_label) == (None, "unavailable", "Not available yet")
    assert ScorecardEntry.objects.get(metric="influenced_pipeline").updated_by == owner


def test_influenced_revenue_is_scored_like_any_amount(world: World):
    set_entry("influenced_revenue", baseline=0, target=250_000, now=NOW)
    row = _row("influenced_revenue")
    assert (row.value, row.status, row.progress) == (0.0, "behind", 0.0)


@pytest.mark.django_db
def test_setting_twice_updates_the_one_entry():
    set_entry("nps", baseline=20, target=40, now=NOW)
    set_entry("nps", baseline=25, target=50, window="month", cadence="quarterly", now=NOW)
    entry = ScorecardEntry.objects.get(metric="nps")
    assert (entry.baseline, entry.target, entry.window, entry.cadence, entry.position) == (
        25, 50, "month", "quarterly", 4
    )  # fmt: skip
    assert ScorecardEntry.objects.filter(metric="nps").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"code": "nope", "target": 1}, "unknown metric 'nope': expected one of advocates,"),
        ({"code": "nps", "target": 1, "window": "week"}, "unknown window 'week'"),
        ({"code": "nps", "target": 1, "cadence": "daily"}, "unknown cadence 'daily'"),
        ({"code": "nps", "target": 5, "baseline": 5}, "the target must differ from the baseline"),
    ],
)
def test_bad_entries_are_refused_by_name(kwargs, message):
    code = kwargs.pop("code")
    with pytest.raises(ScorecardError) as info:
        set_entry(code, now=NOW, **kwargs)
    assert str(info.value).startswith(message)


@pytest.mark.django_db
def test_remove():
    remove_entry("referrals")
    assert list(ScorecardEntry.objects.values_list("metric", flat=True)) == [
        "reviews", "case_study_conversion", "influenced_expansion"
    ]  # fmt: skip
    with pytest.raises(ScorecardError, match="'referrals' is not on the scorecard"):
        remove_entry("referrals")


def test_the_default_period_is_the_quarters_window_so_a_page_shows_one_figure(world: World):
    from advocacy.metrics.catalogue import DEFAULT_PERIOD, WINDOW_DAYS
    from advocacy.metrics.report import build_report
    from advocacy.metrics.services import filters

    assert DEFAULT_PERIOD == f"{WINDOW_DAYS['quarter']}d" == "90d"
    period, segment = filters(None, None, now=NOW)
    report = build_report(period, segment, now=NOW, policy=DEFAULT_POLICY)
    card = {v.metric.code: v.value for v in report.values}
    quarterly = {r.metric.code: r for r in report.scorecard if r.entry.window == "quarter"}
    assert sorted(quarterly) == ["case_study_conversion", "influenced_expansion", "reviews"]
    for code, row in quarterly.items():
        assert (row.period, row.value) == (period, card[code])
        assert row.current.metric is BY_CODE[code]
    # The scorecard reads the report's own aggregates: the same evaluation, not a second one.
    assert all(r.period is report.evaluation.period for r in quarterly.values())
