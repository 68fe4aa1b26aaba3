"""Exclusions and stage fit: the named rules that keep the wrong people from being asked."""

from __future__ import annotations

from typing import Any

from advocacy.engine.policy import Policy
from advocacy.pipeline.models import AskType

Condition = dict[str, Any]

# Named so the guard job (advocacy.engine.guards) pauses and cancels by the very same rules.
OPTED_OUT: Condition = {"field": "opted_out", "op": "is_true"}
LEFT_COMPANY: Condition = {"field": "left_company", "op": "is_true"}
UNRESOLVED_SUPPORT: Condition = {"field": "open_tickets", "op": "gt", "value": 0}


def dissatisfied(policy: Policy) -> Condition:
    """Latest NPS a detractor's, or account health under the policy's floor (seed 003)."""
    return {
        "any": [
            {"field": "nps", "op": "lte", "value": policy.dissatisfied_nps_max},
            {"field": "health", "op": "lt", "value": policy.dissatisfied_health_below},
        ]
    }


def exclusions(policy: Policy, ask_type: AskType) -> list[tuple[str, Condition]]:
    """(name, condition) pairs; a contact matching any condition must not be asked.

    Seed 003's "Exclude" list and edge cases; NDA and sensitive industries only block asks that
    show the advocate's name or logo publicly.
    """
    rules: list[tuple[str, Condition]] = [
        ("opted out", OPTED_OUT),
        ("left the company", LEFT_COMPANY),
        ("churn risk", {"field": "churn_risk", "op": "is_true"}),
        ("competitor-adjacent", {"field": "competitor_adjacent", "op": "is_true"}),
        ("unresolved support issue", UNRESOLVED_SUPPORT),
        (
            f"support ticket in the last {policy.ticket_quiet_days} days",
            {"field": "last_ticket_at", "op": "within_days", "value": policy.ticket_quiet_days},
        ),
        ("dissatisfied: paused until resolved", dissatisfied(policy)),
    ]
    if ask_type.public:
        rules += [
            ("NDA / no logo use", {"field": "nda", "op": "is_true"}),
            ("sensitive industry", {"field": "sensitive_industry", "op": "is_true"}),
        ]
    return rules


# Seed 000, section 2: which asks fit each lifecycle stage (activation: too early, adopt first).
STAGE_FIT: dict[str, tuple[str, ...]] = {
    "activation": (),
    "engagement": ("review", "testimonial_quote", "community"),
    "expansion": (
        "review",
        "testimonial_quote",
        "community",
        "referral",
        "case_study",
        "reference_call",
        "video_testimonial",
    ),
    "mature": (
        "review",
        "testimonial_quote",
        "community",
        "referral",
        "case_study",
        "reference_call",
        "video_testimonial",
        "speaker",
        "advisory_board",
        "content_cocreation",
    ),
}
