"""Selective solicitation: a review play whose invitations go only to promoters.

G2 and Capterra forbid a vendor to invite only its happy customers to review it, so a review
play naming such a site (`site:` in its YAML, rules in ADVOCACY_REVIEW_SITES) whose trigger and
audience let no NPS answer under 9 through gets a warning: in `playbook check`, on the play's
page and in the API. A warning, not an error: the play may be meant for another site, and the
team decides.

The test is made on the conditions as the compiler reads them (`conditions.validate`), not on
their text: each NPS answer from 0 to 10 is put through the trigger's value filter (when the
trigger is an NPS answer) and the audience, every leaf on another field counted as unknown
(it may hold or not). An answer the conditions do not rule out can be invited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from advocacy.core.review_sites import FORBIDS_SELECTIVE, site_label
from advocacy.engine.conditions import Leaf, validate

NPS_ANSWERS = range(0, 11)
PROMOTER_FLOOR = 9  # NPS 9 and 10 are promoters


@dataclass(frozen=True)
class SolicitationWarning:
    """A review play that invites only promoters to a site that forbids it; `field` is where
    the selection is written (`trigger.value` or `audience`)."""

    site: str
    field: str
    lowest: int

    @property
    def message(self) -> str:
        label = site_label(self.site)
        where = "its trigger" if self.field == "trigger.value" else "its audience"
        return (
            f"{label}'s guidelines forbid inviting only happy customers, and this play invites"
            f" only NPS promoters ({self.lowest}-10, through {where}): invite every respondent"
            f" (remove the NPS condition from {where}), or name a site that allows it"
        )


def trigger_condition(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The trigger's value filter as a condition on `nps`, when the trigger is an NPS answer."""
    trigger = definition.get("trigger") or {}
    if trigger.get("signal") != "nps":
        return {}
    values = trigger.get("value", {})
    return {"all": [{"field": "nps", "op": op, "value": v} for op, v in values.items()]}


def invited_answers(definition: Mapping[str, Any]) -> frozenset[int]:
    """The NPS answers (0-10) with which a contact can be invited by the play."""
    trigger = trigger_condition(definition)
    audience = definition.get("audience") or {}
    validate(trigger)
    validate(audience)
    return frozenset(
        score
        for score in NPS_ANSWERS
        if _verdict(trigger, score) is not False and _verdict(audience, score) is not False
    )


def solicitation_warning(
    definition: Mapping[str, Any], sites: Mapping[str, str] | None = None
) -> SolicitationWarning | None:
    """The warning for a review play that invites only promoters to a site forbidding it."""
    site = definition.get("site")
    rules = settings.REVIEW_SITES if sites is None else sites
    if definition.get("ask") != "review" or not site or rules.get(site) != FORBIDS_SELECTIVE:
        return None
    answers = invited_answers(definition)
    if not answers or min(answers) < PROMOTER_FLOOR:
        return None
    trigger = trigger_condition(definition)
    by_trigger = bool(trigger) and all(
        _verdict(trigger, score) is False for score in NPS_ANSWERS if score < PROMOTER_FLOOR
    )
    return SolicitationWarning(site, "trigger.value" if by_trigger else "audience", min(answers))


def _verdict(cond: Mapping[str, Any], score: int) -> bool | None:
    """Whether `cond` holds for a contact whose NPS answer is `score`: True, False, or None
    when it depends on other fields (Kleene's three-valued logic)."""
    if not cond:
        return True
    if "all" in cond:
        parts = [_verdict(c, score) for c in cond["all"]]
        return False if False in parts else (True if all(parts) else None)
    if "any" in cond:
        if not cond["any"]:
            return False
        parts = [_verdict(c, score) for c in cond["any"]]
        return True if True in parts else (False if all(p is False for p in parts) else None)
    if "not" in cond:
        inner = _verdict(cond["not"], score)
        return None if inner is None else not inner
    (leaf,) = validate(cond)
    return _leaf_verdict(leaf, score)


def _leaf_verdict(leaf: Leaf, score: int) -> bool | None:
    if leaf.field.name != "nps":
        return None
    op, value = leaf.op, leaf.value
    checks = {
        "eq": lambda: score == value,
        "ne": lambda: score != value,
        "gt": lambda: score > value,
        "gte": lambda: score >= value,
        "lt": lambda: score < value,
        "lte": lambda: score <= value,
        "in": lambda: score in value,
        "not_in": lambda: score not in value,
        "exists": lambda: True,
        "missing": lambda: False,
    }
    return bool(checks[op]())
