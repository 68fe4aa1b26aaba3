"""Next best ask: for one contact, every ask type ranked, each with the reasons behind it.

Built from the same compiled conditions as evaluation (prerequisites, exclusions) plus the tap
caps and the stage fit, so what the UI says about a contact is what a play would do with them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from advocacy.customers.models import Contact
from advocacy.engine.caps import next_allowed
from advocacy.engine.conditions import Check, explain_many, holds
from advocacy.engine.policy import DEFAULT_POLICY, Policy
from advocacy.engine.profile import PROFILE_COLUMNS, with_profile
from advocacy.engine.rules import STAGE_FIT, exclusions
from advocacy.pipeline.models import Ask, AskType

EFFORT_RANK = {"low": 0, "medium": 1, "high": 2, "very_high": 3}
RUNG_RANK = {"none": 0, "satisfied": 1, "engaged": 2, "advocate": 3, "champion": 4, "ambassador": 5}


@dataclass(frozen=True)
class Reason:
    text: str
    ok: bool


@dataclass
class AskOption:
    code: str
    name: str
    effort: str
    ready: bool
    score: float
    reasons: list[Reason] = field(default_factory=list)
    next_allowed_at: datetime | None = None


@dataclass
class Explanation:
    contact_id: int
    email: str
    as_of: datetime
    profile: dict[str, Any]
    options: list[AskOption]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _reasons(checks: list[Check]) -> list[Reason]:
    return [Reason(f"{c.description} (found: {_show(c.found)})", c.passed) for c in checks]


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def next_best_asks(
    contact: Contact, *, now: datetime, policy: Policy = DEFAULT_POLICY
) -> Explanation:
    """Rank every active ask type for `contact` as of `now`; ready ones first."""
    qs = with_profile(Contact.objects.filter(pk=contact.pk), now, policy)
    profile = qs.values(*PROFILE_COLUMNS, "persona").get()
    types = list(AskType.objects.filter(active=True))
    conds: dict[str, dict[str, Any]] = {}
    for t in types:
        conds[f"pre:{t.code}"] = t.prerequisites or {}
        for i, (_, cond) in enumerate(exclusions(policy, t)):
            conds[f"ex:{t.code}:{i}"] = cond
    checks = explain_many(conds, qs, now)
    caps = next_allowed(contact.pk)
    open_types = set(
        Ask.objects.open().filter(contact=contact).values_list("ask_type__code", flat=True)
    )
    stage, rung = profile["stage"], profile["rung"]
    options: list[AskOption] = []
    for t in types:
        reasons: list[Reason] = []
        pre = checks[f"pre:{t.code}"]
        eligible = holds(t.prerequisites or {}, pre)
        reasons += _reasons(pre)
        blocked = []
        for i, (name, cond) in enumerate(exclusions(policy, t)):
            if holds(cond, checks[f"ex:{t.code}:{i}"]):
                blocked.append(name)
        reasons += [Reason(f"excluded: {name}", False) for name in blocked]
        until = caps.get(t.effort)
        capped = until is not None and until > now
        if capped and until is not None:
            reasons.append(
                Reason(
                    f"tap cap: next {t.effort.replace('_', ' ')}-effort ask after {until.date()}",
                    False,
                )
            )
        is_open = t.code in open_types
        if is_open:
            reasons.append(Reason("an ask of this type is already open", False))
        fits = t.code in STAGE_FIT.get(stage, ())
        reasons.append(
            Reason(
                f"fits the {stage} stage"
                if fits
                else f"not an {stage}-stage ask"
                if stage[0] in "aeiou"
                else f"not a {stage}-stage ask",
                fits,
            )
        )
        ready = eligible and not blocked and not capped and not is_open
        # Start small and climb (seed 001): stage fit first, then the effort that matches the
        # rung, then the value of the ask.
        climb = 1 - abs(
            EFFORT_RANK[t.effort] - min(3, RUNG_RANK.get(rung, 0) // 2 + (stage == "mature"))
        )
        score = (10 if ready else 0) + (3 if fits else 0) + climb + t.default_value / 1000
        options.append(AskOption(t.code, t.name, t.effort, ready, round(score, 3), reasons, until))
    options.sort(key=lambda o: (-o.score, o.code))
    return Explanation(contact.pk, contact.email, now, profile, options)
