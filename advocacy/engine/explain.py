"""Next best ask: for one contact, every ask type ranked, each with the reasons behind it.

The reasons are the rules of `advocacy.engine.rules` read leaf by leaf, plus the open asks and
the tap caps as `advocacy.engine.readiness` tests them, so what the UI says about a contact is
what a play would do with them. Each reason carries its stable code; an ask is `ready` exactly
when every one of its reasons is met.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import BooleanField, Case, Value, When

from advocacy.customers.models import Contact
from advocacy.engine.caps import covering, next_allowed
from advocacy.engine.conditions import Check, explain_many, holds
from advocacy.engine.policy import DEFAULT_POLICY, Policy
from advocacy.engine.profile import PROFILE_COLUMNS, with_profile
from advocacy.engine.readiness import cap_refusals, cap_words, open_ask
from advocacy.engine.rules import REASONS, requirements
from advocacy.pipeline.models import AskType

EFFORT_RANK = {"low": 0, "medium": 1, "high": 2, "very_high": 3}
RUNG_RANK = {"none": 0, "satisfied": 1, "engaged": 2, "advocate": 3, "champion": 4, "ambassador": 5}


@dataclass(frozen=True)
class Reason:
    code: str
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


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _found(checks: list[Check]) -> str:
    return ", ".join(_show(c.found) for c in checks)


def _flag(q: Any) -> Case:
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def next_best_asks(
    contact: Contact, *, now: datetime, policy: Policy = DEFAULT_POLICY
) -> Explanation:
    """Rank every active ask type for `contact` as of `now`; ready ones first."""
    qs = with_profile(Contact.objects.filter(pk=contact.pk), now, policy)
    profile = qs.values(*PROFILE_COLUMNS, "persona").get()
    types = list(AskType.objects.filter(active=True))
    rules = {t.code: requirements(policy, t) for t in types}
    conds = {f"{t.code}:{i}": r.condition for t in types for i, r in enumerate(rules[t.code])}
    checks = explain_many(conds, qs, now)
    # Open asks and caps through the very expressions plays are decided by: one query.
    flags: dict[str, Any] = {}
    for t in types:
        flags[f"open:{t.code}"] = _flag(open_ask(t))
        for code, q in cap_refusals(t, policy, now):
            flags[f"cap:{t.code}:{code}"] = _flag(q)
    names = {key: f"flag{n}" for n, key in enumerate(flags)}
    row = qs.annotate(**{names[k]: v for k, v in flags.items()}).values(*names.values()).get()
    found = {key: row[name] for key, name in names.items()}
    windows = next_allowed(contact.pk)
    stage, rung = profile["stage"], profile["rung"]
    options: list[AskOption] = []
    for t in types:
        reasons: list[Reason] = []
        fits = True
        for i, rule in enumerate(rules[t.code]):
            leaf_checks = checks[f"{t.code}:{i}"]
            matched = holds(rule.condition, leaf_checks)
            if rule.blocks:
                if matched:
                    word = "held for approval" if rule.holds else "excluded"
                    reasons.append(Reason(rule.code, f"{word}: {rule.text}", False))
                continue
            if rule.kind == "stage":
                fits = matched
            shown = [c for c in leaf_checks if not isinstance(c.found, bool)]  # a flag says itself
            text = f"{rule.text} (found: {_found(shown)})" if shown else rule.text
            reasons.append(Reason(rule.code, text, matched))
        if found[f"open:{t.code}"]:
            reasons.append(Reason("already_open", REASONS["already_open"], False))
        efforts = covering(t, policy)
        shut = [at for e in efforts if (at := windows.get(e)) is not None]
        until = max(shut, default=None)
        for code, _ in cap_refusals(t, policy, now):
            if found[f"cap:{t.code}:{code}"]:
                text = REASONS[code] if code == "not_willing" else cap_words(t, policy, code)
                if code.endswith("_effort") and until is not None:
                    text += f"; next after {until.date()}"
                reasons.append(Reason(code, text, False))
        ready = all(r.ok for r in reasons)
        # Start small and climb (seed 001): stage fit first, then the effort that matches the
        # rung, then the value of the ask.
        climb = 1 - abs(
            EFFORT_RANK[t.effort] - min(3, RUNG_RANK.get(rung, 0) // 2 + (stage == "mature"))
        )
        score = (10 if ready else 0) + (3 if fits else 0) + climb + t.default_value / 1000
        shown_until = until if until is not None and until > now else None
        options.append(
            AskOption(t.code, t.name, t.effort, ready, round(score, 3), reasons, shown_until)
        )
    options.sort(key=lambda o: (-o.score, o.code))
    return Explanation(contact.pk, contact.email, now, profile, options)
