"""The rules an ask must pass, each with a stable code: one list, read by every decision.

Evaluation (the verdict of a play's candidates), the next best ask, the profile's `ready`, manual
asks, fallbacks, the guards and the reference desk all take their rules from `requirements`, so
no two of them can disagree about who may be asked. A rule's condition is plain data compiled by
`advocacy.engine.conditions`; its code is what the API and `explain --json` give as the reason.

Order matters: a refused candidate is decided by the first rule it fails, most selective first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from advocacy.engine.policy import STAGES, Policy
from advocacy.pipeline.models import AskType

Condition = dict[str, Any]


@dataclass(frozen=True)
class Rule:
    """One named rule. `blocks`: a contact *matching* the condition is refused (an exclusion);
    otherwise a contact not matching it, or about whom it cannot be judged, is (a requirement).
    `holds`: instead of refusing, the ask is opened for a person's approval."""

    code: str
    text: str
    condition: Condition
    kind: str  # gate | prerequisite | stage | exclusion
    blocks: bool = False
    holds: bool = False


# Named so the guard job (advocacy.engine.guards) pauses and cancels by the very same rules.
OPTED_OUT: Condition = {"field": "opted_out", "op": "is_true"}
LEFT_COMPANY: Condition = {"field": "left_company", "op": "is_true"}
UNRESOLVED_SUPPORT: Condition = {"field": "open_tickets", "op": "gt", "value": 0}

# Every reason code a decision or an explanation can give, with what it means. Documented in
# docs/policy.md; a test keeps the two the same.
REASONS: dict[str, str] = {
    "asked": "asked",
    "not_in_audience": "not in the play's audience",
    "nps_below_min": "latest NPS under the minimum (or no answer)",
    "nps_stale": "latest NPS answer too old",
    "health_below_min": "health score under the minimum (or none)",
    "tenure_below_min": "customer for less than the minimum tenure",
    "inactive": "no product activity recently",
    "no_csm_owner": "no CSM owns the relationship",
    "results_missing": "no measurable result shared recently",
    "prerequisites_not_met": "the ask type's own prerequisites are not met",
    "stage_too_early": "the lifecycle stage does not fit the ask yet",
    "excluded_opted_out": "opted out",
    "excluded_left_company": "left the company",
    "excluded_churn_risk": "churn risk",
    "excluded_competitor_adjacent": "competitor-adjacent",
    "excluded_open_ticket": "an unresolved support issue",
    "excluded_recent_ticket": "a support ticket in the quiet period",
    "excluded_dissatisfied": "dissatisfied: paused until resolved",
    "excluded_nda": "NDA: no ask that names the customer outside the company",
    "excluded_sensitive_industry": "sensitive industry: case by case",
    "held_for_approval": "held for a person's approval before it goes out",
    "anonymous_variant": "named asks excluded: the anonymous variant is asked instead",
    "already_open": "an ask of this type is already open",
    "cap_low_effort": "tap cap: the low-effort window is in force",
    "cap_medium_effort": "tap cap: the medium-effort window is in force",
    "cap_high_effort": "tap cap: the high-effort window is in force",
    "cap_very_high_effort": "tap cap: the very-high-effort window is in force",
    "cap_ask_type": "tap cap: this ask type's own limit is reached",
    "not_willing": "the advocate said they do not do this kind of ask",
    "held_out": "in the play's holdout group",
    "give_before_ask": "held: the program has not yet given more than it asked (12 months)",
}


def cap_code(effort: str) -> str:
    return f"cap_{effort}_effort"


def dissatisfied(policy: Policy) -> Condition:
    """Latest NPS a detractor's, or account health under the policy's floor (seed 003)."""
    return {
        "any": [
            {"field": "nps", "op": "lte", "value": policy.dissatisfied_nps_max},
            {"field": "health", "op": "lt", "value": policy.dissatisfied_health_below},
        ]
    }


# Seed 001's criteria: (code, words, profile field, operator, the policy's key).
GATE = (
    ("nps_below_min", "latest NPS ≥ {}", "nps", "gte", "nps_min"),
    ("nps_stale", "NPS answered within {} days", "nps_at", "within_days", "nps_fresh_days"),
    ("health_below_min", "health score ≥ {}", "health", "gte", "health_min"),
    ("tenure_below_min", "a customer for at least {} days", "customer_since", "older_than_days",
     "tenure_days_min"),
    ("inactive", "active in the product within {} days", "last_activity_at", "within_days",
     "active_within_days"),
)  # fmt: skip


def gate(policy: Policy, code: str | None = None) -> list[Rule]:
    """The eligibility of an advocacy ask (seed 001's criteria), with the ask type's own
    thresholds where the policy sets them (seed 003's reference program)."""
    v = (lambda key: policy.gate_value(code, key)) if code else (lambda key: getattr(policy, key))
    rules = [
        Rule(code, words.format(v(key)), {"field": field, "op": op, "value": v(key)}, "gate")
        for code, words, field, op, key in GATE
    ]
    if policy.require_csm_owner:
        rules.append(
            Rule("no_csm_owner", "a CSM owns the relationship", _HAS_CSM, "gate"),
        )
    results = policy.for_type(code).results_within_days if code else None
    if results is not None:
        rules.append(
            Rule(
                "results_missing",
                f"a measurable result shared within {results} days",
                {"field": "last_result_at", "op": "within_days", "value": results},
                "gate",
            )
        )
    return rules


_HAS_CSM: Condition = {"field": "has_csm", "op": "is_true"}


def eligibility_condition(policy: Policy, code: str | None = None) -> Condition:
    """The gate as one condition: who is eligible for advocacy at all (or for one ask type)."""
    return {"all": [r.condition for r in gate(policy, code)]}


def stage_rule(policy: Policy, code: str, widen: Iterable[str] = ()) -> Rule | None:
    """Seed 000's stage map as a gate; a play may widen it for itself, explicitly."""
    fits = set(policy.stages_for(code)) | set(widen)
    if fits >= set(STAGES):
        return None
    stages = [s for s in STAGES if s in fits]
    words = ", ".join(stages) if stages else "no stage"
    return Rule(
        "stage_too_early",
        f"lifecycle stage fits the ask ({words})",
        {"field": "stage", "op": "in", "value": stages or ["none"]},
        "stage",
    )


def exclusions(policy: Policy, ask_type: AskType) -> list[Rule]:
    """Seed 003's "Exclude" list and edge cases. NDA covers every ask that names the customer
    outside the company (`public` in the catalogue: reviews, quotes, case studies, videos,
    speaking, references); sensitive industries too, held for approval by default."""
    held = set(policy.hold_for_approval)

    def rule(code: str, condition: Condition) -> Rule:
        return Rule(code, REASONS[code], condition, "exclusion", blocks=True, holds=code in held)

    rules = [
        rule("excluded_opted_out", OPTED_OUT),
        rule("excluded_left_company", LEFT_COMPANY),
        rule("excluded_churn_risk", {"field": "churn_risk", "op": "is_true"}),
        rule("excluded_competitor_adjacent", {"field": "competitor_adjacent", "op": "is_true"}),
        rule("excluded_open_ticket", UNRESOLVED_SUPPORT),
        Rule(
            "excluded_recent_ticket",
            f"a support ticket in the last {policy.ticket_quiet_days} days",
            {"field": "last_ticket_at", "op": "within_days", "value": policy.ticket_quiet_days},
            "exclusion",
            blocks=True,
        ),
        rule("excluded_dissatisfied", dissatisfied(policy)),
    ]
    if ask_type.public:
        rules += [
            rule("excluded_nda", {"field": "nda", "op": "is_true"}),
            rule("excluded_sensitive_industry", {"field": "sensitive_industry", "op": "is_true"}),
        ]
    # Holds come last: a contact refused by any other rule is refused, not held.
    return [r for r in rules if not r.holds] + [r for r in rules if r.holds]


def requirements(policy: Policy, ask_type: AskType, widen: Iterable[str] = ()) -> list[Rule]:
    """Every rule an ask of `ask_type` must pass, in the order they are checked."""
    rules = gate(policy, ask_type.code)
    if ask_type.prerequisites:
        rules.append(
            Rule(
                "prerequisites_not_met",
                REASONS["prerequisites_not_met"],
                ask_type.prerequisites,
                "prerequisite",
            )
        )
    stage = stage_rule(policy, ask_type.code, widen)
    if stage is not None:
        rules.append(stage)
    if policy.give_before_ask and ask_type.effort in policy.give_before_efforts:
        rules.append(
            Rule(
                "give_before_ask",
                "give before ask: the program gave more than it asked in 12 months",
                {"field": "reciprocity", "op": "gt", "value": 0},
                "gate",
            )
        )
    return rules + exclusions(policy, ask_type)
