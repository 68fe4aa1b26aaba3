"""Tiers from the declared policies: every threshold at, below and above its line."""

from __future__ import annotations

import datetime as dt

import pytest

from advocacy.customers.models import Contact
from advocacy.pipeline.agreements import Agreement, AgreementStatus
from advocacy.pipeline.models import AskStatus
from advocacy.pipeline.services import advance_ask
from advocacy.pipeline.tests.factories import make_ask
from advocacy.rewards import services
from advocacy.rewards.models import Entry
from advocacy.rewards.policy import PolicyError, load_policy, parse_policy
from advocacy.rewards.tests.helpers import NOW, advocate, complete
from advocacy.rewards.tiers import _months_before, levels, quarter_bounds, standings
from advocacy.signals.models import Signal, SignalKind

pytestmark = pytest.mark.django_db
ADVOCATE = load_policy("advocate")
REFERENCE = load_policy("reference")
EARLY = dt.datetime(2026, 4, 2, tzinfo=dt.UTC)  # inside 2026Q2, before NOW


def _level(contact: Contact, policy=ADVOCATE, at: dt.datetime = NOW) -> int:  # type: ignore[no-untyped-def]
    return levels([contact.pk], policy, at)[contact.pk]


def _with_activities(n: int, *, speaking: bool = False) -> Contact:
    contact = advocate()
    for i in range(n):
        complete(contact, "speaker" if speaking and i == 0 else "review", at=EARLY)
    return contact


@pytest.mark.parametrize(
    ("activities", "speaking", "tier"),
    [
        (0, False, 0),  # below Champion
        (1, False, 1),  # at Champion
        (2, False, 1),  # above Champion, below Advocate
        (3, False, 2),  # at Advocate
        (4, False, 2),  # above Advocate, below Ambassador
        (5, False, 2),  # at Ambassador's count, but no event speaking
        (5, True, 3),  # at Ambassador
        (6, True, 3),  # above Ambassador
        (4, True, 2),  # speaking, one activity short of Ambassador
    ],
)
def test_advocate_tiers_by_activities_a_quarter(activities: int, speaking: bool, tier: int) -> None:
    assert _level(_with_activities(activities, speaking=speaking)) == tier


def test_activities_count_in_their_own_quarter_only() -> None:
    contact = _with_activities(3)
    next_quarter = quarter_bounds("2026Q3")[0] + dt.timedelta(days=1)
    assert (_level(contact), _level(contact, at=next_quarter)) == (2, 0)
    assert _level(contact, at=EARLY - dt.timedelta(days=1)) == 0  # as of before them


def test_reasons_say_what_is_met_and_what_is_missing() -> None:
    contact = _with_activities(3)
    (standing,) = standings(Contact.objects.filter(pk=contact.pk), ADVOCATE, NOW)
    assert standing.tier == "Advocate"
    texts = [(r.tier, r.met, r.text) for r in standing.reasons]
    assert ("Advocate", True, "3 activities this quarter (needs 3)") in texts
    assert ("Ambassador", False, "3 activities this quarter (needs 5)") in texts
    assert ("Ambassador", False, "no completed speaker this quarter") in texts


def test_rewards_are_cumulative_per_activity_and_per_quarter() -> None:
    contact = _with_activities(3)
    assert services.balance(contact, NOW) == 3 * 10_000  # $100 donation per activity
    done = services.process_quarter(
        "2026Q2", actor=None, now=dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    )
    assert done.credited == 1
    assert services.balance(contact, dt.datetime(2026, 7, 1, tzinfo=dt.UTC)) == 30_000 + 50_000
    again = services.process_quarter(
        "2026Q2", actor=None, now=dt.datetime(2026, 7, 2, tzinfo=dt.UTC)
    )
    assert again.credited == 0  # processed once


def test_a_quarter_is_processed_only_once_it_is_over() -> None:
    with pytest.raises(services.RewardError, match="not over yet"):
        services.process_quarter("2026Q2", actor=None, now=NOW)


def test_a_cancelled_activity_earns_nothing() -> None:
    contact = advocate()
    ask = make_ask("review", status=AskStatus.ACCEPTED, contact=contact)
    advance_ask(ask, AskStatus.CANCELLED, actor=None, now=NOW)
    assert (Entry.objects.count(), _level(contact)) == (0, 0)


def _nps(contact: Contact, value: float) -> None:
    Signal.objects.create(
        contact=contact,
        account=contact.account,
        kind=SignalKind.NPS,
        value=value,
        occurred_at=EARLY,
        source="test",
        key=f"nps-{contact.pk}-{value}",
    )


@pytest.mark.parametrize(
    ("nps", "months", "tier"),
    [
        (8, 6, 0),  # NPS below 9
        (9, 6, 1),  # at both lines
        (10, 7, 1),  # above both
        (9, 5, 0),  # tenure below 6 months
    ],
)
def test_bronze_needs_nps_nine_and_six_months(nps: int, months: int, tier: int) -> None:
    since = _months_before(NOW.date(), months)
    contact = advocate()
    contact.account.customer_since = since
    contact.account.save()
    _nps(contact, nps)
    assert _level(contact, REFERENCE) == tier


def _bronze() -> Contact:
    contact = advocate()
    contact.account.customer_since = dt.date(2025, 1, 1)
    contact.account.save()
    _nps(contact, 10)
    return contact


def test_silver_gold_platinum_climb_the_ladder() -> None:
    contact = _bronze()
    assert _level(contact, REFERENCE) == 1
    complete(contact, "reference_call", at=EARLY)
    assert _level(contact, REFERENCE) == 2  # a reference call done
    study = complete(contact, "case_study", at=EARLY)
    assert _level(contact, REFERENCE) == 2  # completed, not yet published
    advance_ask(study, AskStatus.PUBLISHED, actor=None, now=EARLY)
    assert _level(contact, REFERENCE) == 3
    Agreement.objects.create(
        contact=contact,
        status=AgreementStatus.ACTIVE,
        scope=["reference_call"],
        starts_on=dt.date(2026, 1, 1),
        signed_on=dt.date(2026, 1, 1),
        created_at=EARLY,
        updated_at=EARLY,
    )
    assert _level(contact, REFERENCE) == 4


def test_a_higher_rung_without_the_lower_ones_is_not_reached() -> None:
    contact = advocate()  # no NPS, no tenure: not Bronze
    complete(contact, "reference_call", at=EARLY)
    assert _level(contact, REFERENCE) == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 2}, "version: expected 1"),
        ({"period": "month"}, "period: expected one of"),
        ({"tiers": []}, "tiers: expected a list"),
        ({"tiers": [{"code": "a", "name": "A", "requires": {"hugs": 1}}]}, "unknown 'hugs'"),
        (
            {"tiers": [{"code": "a", "name": "A", "requires": {"activities": "x"}}]},
            "wrong kind of value",
        ),
        (
            {
                "tiers": [
                    {
                        "code": "a",
                        "name": "A",
                        "requires": {"activities": 1},
                        "rewards": [{"per": "day", "type": "donation", "amount": 1}],
                    }
                ]
            },
            "per: expected one of",
        ),
    ],
)
def test_a_bad_policy_is_refused_with_its_rule(change: dict, message: str) -> None:  # type: ignore[type-arg]
    base = {"version": 1, "code": "x", "name": "X", "period": "quarter", "tiers": []}
    base["tiers"] = [{"code": "a", "name": "A", "requires": {"activities": 1}}]
    with pytest.raises(PolicyError, match=message):
        parse_policy({**base, **change}, "x.yaml")


def test_the_shipped_policies_load() -> None:
    assert [t.name for t in ADVOCATE.tiers] == ["Champion", "Advocate", "Ambassador"]
    assert [t.name for t in REFERENCE.tiers] == ["Bronze", "Silver", "Gold", "Platinum"]
    assert REFERENCE.tier("silver").asks == ("Reference calls (2 a quarter)",)


def test_tier_queries_do_not_grow_with_contacts(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    many = [_with_activities(1).pk for _ in range(5)]
    with django_assert_max_num_queries(1):
        found = levels(many, ADVOCATE, NOW)
    assert set(found.values()) == {1}
