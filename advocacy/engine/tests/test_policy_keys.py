"""Every key policy.yaml accepts drives a decision: one case per key, and a check that none is
left without one.

Each case builds a person, decides an ask for them under the default policy and under the policy
with that one key changed, and the two decisions must differ as the case says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any

import pytest

from advocacy.customers.models import Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.evaluation import evaluate_play
from advocacy.engine.explain import next_best_asks
from advocacy.engine.models import Decision, Play
from advocacy.engine.plays import load_playbook, parse_play
from advocacy.engine.policy import DEFAULT_POLICY, AskTypeRules, Policy, parse_policy
from advocacy.engine.tests.people import BASE, ENGAGED, MATURE, NOW, Person, build
from advocacy.pipeline.models import Ask, AskType
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db


def refusals(contact: Contact, code: str, policy: Policy) -> set[str]:
    """The reason codes that keep an ask of `code` from `contact` now (empty: ready)."""
    option = next(
        o for o in next_best_asks(contact, now=NOW, policy=policy).options if o.code == code
    )
    return {r.code for r in option.reasons if not r.ok}


def rules(code: str, **changes: Any) -> dict[str, AskTypeRules]:
    types = dict(DEFAULT_POLICY.ask_types)
    types[code] = replace(DEFAULT_POLICY.for_type(code), **changes)
    return types


@dataclass(frozen=True)
class Case:
    key: str
    person: Person
    ask: str
    change: dict[str, Any]
    before: set[str]
    after: set[str]
    earlier: tuple[tuple[str, int], ...] = ()  # asks opened before, (type, days before NOW)


CASES = [
    Case("nps_min", replace(BASE, nps=9), "review", {"nps_min": 10}, set(), {"nps_below_min"}),
    Case("nps_fresh_days", replace(BASE, nps_days=100), "review", {"nps_fresh_days": 60}, set(),
         {"nps_stale"}),
    Case("health_min", BASE, "review", {"health_min": 95}, set(), {"health_below_min"}),
    Case("tenure_days_min", BASE, "review", {"tenure_days_min": 500}, set(),
         {"tenure_below_min"}),
    Case("active_within_days", replace(BASE, active_days=10), "review",
         {"active_within_days": 5}, set(), {"inactive"}),
    Case("require_csm_owner", replace(BASE, owned=False), "review",
         {"require_csm_owner": False}, {"no_csm_owner"}, set()),
    Case("dissatisfied_nps_max", replace(BASE, nps=9), "review", {"dissatisfied_nps_max": 9},
         set(), {"excluded_dissatisfied"}),
    Case("dissatisfied_health_below", BASE, "review", {"dissatisfied_health_below": 80,
         "health_min": 60}, set(), {"excluded_dissatisfied"}),
    Case("ticket_quiet_days", replace(BASE, ticket_opened_days=25, ticket_closed_days=20),
         "review", {"ticket_quiet_days": 30}, set(), {"excluded_recent_ticket"}),
    Case("hold_for_approval", replace(BASE, account={"sensitive_industry": True}), "case_study",
         {"hold_for_approval": ()}, {"excluded_sensitive_industry"},
         {"excluded_sensitive_industry"}),  # the words change: see the test below
    Case("activation_days", replace(ENGAGED, tenure_days=100), "review",
         {"activation_days": 120}, set(), {"stage_too_early"}),
    Case("mature_tenure_days", MATURE, "speaker", {"mature_tenure_days": 600}, set(),
         {"stage_too_early", "prerequisites_not_met"}),
    Case("mature_health_min", MATURE, "speaker", {"mature_health_min": 90}, set(),
         {"stage_too_early", "prerequisites_not_met"}),
    Case("expansion_window_days", BASE, "referral",
         {"expansion_window_days": 10}, set(), {"stage_too_early"}),
    Case("stages", ENGAGED, "referral", {"stages": {**DEFAULT_POLICY.stages,
         "engagement": ("review", "referral"), "expansion": ("case_study",)}},
         {"stage_too_early"}, set()),
    Case("cap_days", BASE, "review", {"cap_days": {**DEFAULT_POLICY.cap_days, "low": 60}},
         set(), {"cap_low_effort"}, earlier=(("testimonial_quote", 40),)),
    Case("ask_types", BASE, "review", {"ask_types": rules("review", health_min=90)}, set(),
         {"health_below_min"}),
    Case("give_before_ask", BASE, "case_study", {"give_before_ask": True}, set(),
         {"give_before_ask"}),
    Case("give_before_efforts", BASE, "review",
         {"give_before_ask": True, "give_before_efforts": ("low",)}, set(), {"give_before_ask"}),
]  # fmt: skip

TYPE_CASES = [
    Case("nps_min", replace(BASE, nps=9), "review", {"ask_types": rules("review", nps_min=10)},
         set(), {"nps_below_min"}),
    Case("nps_fresh_days", replace(BASE, nps_days=100), "review",
         {"ask_types": rules("review", nps_fresh_days=60)}, set(), {"nps_stale"}),
    Case("health_min", BASE, "review", {"ask_types": rules("review", health_min=90)}, set(),
         {"health_below_min"}),
    Case("tenure_days_min", BASE, "review", {"ask_types": rules("review", tenure_days_min=500)},
         set(), {"tenure_below_min"}),
    Case("active_within_days", replace(BASE, active_days=10), "review",
         {"ask_types": rules("review", active_within_days=5)}, set(), {"inactive"}),
    Case("results_within_days", BASE, "case_study",
         {"ask_types": rules("case_study", results_within_days=10)}, set(), {"results_missing"}),
    Case("max_asks", BASE, "review", {"ask_types": rules("review", max_asks=2)},
         {"cap_ask_type"}, set(), earlier=(("review", 60),)),
    Case("per_days", BASE, "review", {"ask_types": rules("review", per_days=45)},
         {"cap_ask_type"}, set(), earlier=(("review", 60),)),
    Case("default_max_asks", BASE, "reference_call",
         {"ask_types": rules("reference_call", default_max_asks=2)}, {"cap_ask_type"}, set(),
         earlier=(("reference_call", 10),)),
    Case("effort_cap", BASE, "review", {"ask_types": rules("review", effort_cap=False)},
         {"cap_low_effort"}, set(), earlier=(("testimonial_quote", 10),)),
]  # fmt: skip


def decide(case: Case, csm: Any, policy: Policy, n: int) -> set[str]:
    contact = build(case.person, csm, n)
    for i, (code, days) in enumerate(case.earlier):
        request = AskRequest(contact.pk, AskType.objects.get(code=code), f"earlier:{i}")
        assert open_asks([request], now=NOW - dt.timedelta(days=days), policy=policy).granted
    Ask.objects.filter(contact=contact).update(status="completed")
    return refusals(contact, case.ask, policy)


@pytest.mark.parametrize("case", CASES + TYPE_CASES, ids=lambda c: c.key)
def test_each_key_changes_the_decision(case: Case, member: Any) -> None:
    load_playbook(now=NOW, learn=False)
    changed = replace(DEFAULT_POLICY, **case.change)
    assert decide(case, member, DEFAULT_POLICY, 0) == case.before
    assert decide(case, member, changed, 1) == case.after


def test_every_key_of_the_policy_has_its_case() -> None:
    assert {c.key for c in CASES} | RUNG_KEYS == {f.name for f in fields(Policy)}
    # anonymous_variant: test_the_anonymous_variant_is_the_policys_to_name.
    assert {c.key for c in TYPE_CASES} | {"anonymous_variant"} == {
        f.name for f in fields(AskTypeRules)
    }
    assert {c[0] for c in RUNG_CASES} == RUNG_KEYS


# The ladder's thresholds drive the decisions of plays whose audience names a rung.
RUNG_KEYS = {"satisfied_nps_min", "satisfied_health_min", "champion_activities",
             "ambassador_activities"}  # fmt: skip
RUNG_CASES: list[tuple[str, Person, int, str, dict[str, Any]]] = [
    ("satisfied_nps_min", replace(ENGAGED, nps=9, health=None), 0, "engaged",
     {"satisfied_nps_min": 10, "satisfied_health_min": 101}),
    ("satisfied_health_min", replace(ENGAGED, nps=None, health=78), 0, "satisfied",
     {"satisfied_health_min": 90}),
    ("champion_activities", BASE, 3, "champion", {"champion_activities": 4}),
    ("ambassador_activities", BASE, 5, "ambassador", {"ambassador_activities": 6}),
]  # fmt: skip


@pytest.mark.parametrize(("key", "person", "done", "rung", "change"), RUNG_CASES,
                         ids=[c[0] for c in RUNG_CASES])  # fmt: skip
def test_each_ladder_key_changes_who_a_play_asks(
    key: str, person: Person, done: int, rung: str, change: dict[str, Any], member: Any
) -> None:
    """A play for the `rung` of the ladder asks the person under the default policy, and not
    under the policy with the key changed (they sit on another rung)."""
    load_playbook(now=NOW, learn=False)
    text = (
        f"name: rung-{rung}\ntitle: t\ntrigger: {{signal: renewal}}\n"
        f"audience: {{field: rung, op: eq, value: {rung}}}\nask: community\n"
    )
    definition, errors = parse_play(text, "rung.yaml", {"community"})
    assert errors == []
    play = Play.objects.create(
        name=f"rung-{rung}", title="t", source_file="rung.yaml", definition=definition,
        digest=key, loaded_at=NOW,
    )  # fmt: skip
    outcomes = []
    for n, policy in enumerate((DEFAULT_POLICY, replace(DEFAULT_POLICY, **change))):
        contact = build(person, member, n)
        for i in range(done):
            Signal.objects.create(
                source="row", key=f"done-{n}-{i}", kind="review_published",
                account=contact.account, contact=contact,
                occurred_at=NOW - dt.timedelta(days=40 + i),
            )  # fmt: skip
        Signal.objects.create(
            source="row", key=f"renewed-{n}", kind="renewal", account=contact.account,
            occurred_at=NOW - dt.timedelta(hours=1),
        )  # fmt: skip
        evaluate_play(play, now=NOW + dt.timedelta(minutes=n), policy=policy)
        outcomes.append(Decision.objects.get(play=play, contact=contact).code)
    assert outcomes[0] != "not_in_audience"
    assert outcomes[1] == "not_in_audience"


def test_a_sensitive_industry_holds_or_refuses_as_the_policy_says(member: Any) -> None:
    contact = build(replace(BASE, account={"sensitive_industry": True}), member)
    words: dict[str, list[str]] = {}
    for name, policy in (
        ("held", DEFAULT_POLICY),
        ("refused", replace(DEFAULT_POLICY, hold_for_approval=())),
    ):
        option = next(
            o for o in next_best_asks(contact, now=NOW, policy=policy).options
            if o.code == "case_study"
        )  # fmt: skip
        words[name] = [r.text for r in option.reasons if not r.ok]
    assert words == {
        "held": ["held for approval: sensitive industry: case by case"],
        "refused": ["excluded: sensitive industry: case by case"],
    }


def test_the_anonymous_variant_is_the_policys_to_name(member: Any) -> None:
    """Under an NDA the play asks the type's anonymous variant; without one, it asks nothing."""
    from advocacy.engine.evaluation import play_options

    load_playbook(now=NOW, learn=False)
    play = Play.objects.get(name="renewal-testimonial")
    types = {t.code: t for t in AskType.objects.all()}
    named = [o.ask_type.code for o in play_options(play, DEFAULT_POLICY, types)]
    plain = replace(DEFAULT_POLICY, ask_types=rules("testimonial_quote", anonymous_variant=""))
    assert named == ["testimonial_quote", "anonymous_quote"]
    assert [o.ask_type.code for o in play_options(play, plain, types)] == ["testimonial_quote"]


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("nps_min: 9\nhealth_minimum: 70\n", 2, "health_minimum", "unknown key"),
        ("stages:\n  onboarding: [review]\n", 2, "stages.onboarding", "not a stage"),
        ("cap_days:\n  low: 30\n  huge: 9\n", 3, "cap_days.huge", "not an effort"),
        ("hold_for_approval: [excluded_nda]\n", 1, "hold_for_approval[0]", "is not one of"),
        ("ask_types:\n  review:\n    max: 1\n", 3, "ask_types.review.max", "unknown key"),
        ("nps_min: nine\n", 1, "nps_min", "expected a whole number"),
        ("require_csm_owner: 1\n", 1, "require_csm_owner", "expected true or false"),
    ],
)
def test_a_bad_policy_names_file_line_and_field(
    text: str, line: int, field: str, message: str
) -> None:
    from advocacy.engine.policy import PolicyFileError

    with pytest.raises(PolicyFileError) as caught:
        parse_policy(text)
    error = caught.value
    assert (error.file, error.line, error.field) == ("policy.yaml", line, field)
    assert message in error.message


def test_docs_list_every_reason_code_and_policy_key() -> None:
    from pathlib import Path

    from advocacy.engine.rules import REASONS

    text = (Path(__file__).parents[3] / "docs" / "policy.md").read_text()
    assert [code for code in REASONS if f"`{code}`" not in text] == []
    keys = [f.name for f in fields(Policy)] + [f.name for f in fields(AskTypeRules)]
    assert [key for key in keys if f"`{key}`" not in text] == []
