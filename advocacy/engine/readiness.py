"""Who may be asked for what, now: the rules of `advocacy.engine.rules` and the tap caps, as SQL.

`verdict` names the first rule a contact fails for one ask type (or `ok`, or `hold:<code>` when
only a rule that holds for approval applies). Plays' candidates, the profile's `ready`, the
reference desk's re-check and the guards' replacements all select by it, and the explanation of
one contact reads the same conditions leaf by leaf, so none of them can disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    OuterRef,
    Q,
    Value,
    When,
)

from advocacy.engine.caps import covering, type_refusals
from advocacy.engine.conditions import compile_condition
from advocacy.engine.models import Outcome, TapClaim
from advocacy.engine.policy import Policy
from advocacy.engine.rules import REASONS, Rule, cap_code, requirements
from advocacy.pipeline.models import Ask, AskType

OK = "ok"
HOLD = "hold:"


def not_true(q: Q) -> Q:
    """Holds where `q` is false or cannot be judged (SQL NULL, e.g. no NPS answer yet)."""
    return ~Q(Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField()))


def refuses(rule: Rule, now: datetime) -> Q:
    """Where `rule` refuses a contact: matches an exclusion, or fails (or cannot be judged
    on) a requirement."""
    q = compile_condition(rule.condition, now)
    return q if rule.blocks else not_true(q)


def _window_open(effort: str, now: datetime) -> Exists:
    return Exists(
        TapClaim.objects.filter(contact=OuterRef("pk"), effort=effort, next_allowed_at__gt=now)
    )


def cap_refusals(ask_type: AskType, policy: Policy, now: datetime) -> list[tuple[str, Any]]:
    """(code, where it refuses) for each cap on this ask type: the effort windows from the
    type's own down, then the type's own limit and the contact's unwillingness."""
    found: list[tuple[str, Any]] = [
        (cap_code(e), Q(_window_open(e, now))) for e in reversed(covering(ask_type, policy))
    ]
    return found + [(code, Q(q)) for code, q in type_refusals(ask_type, policy, now)]


def open_ask(ask_type: AskType) -> Q:
    return Q(Exists(Ask.objects.open().filter(contact=OuterRef("pk"), ask_type=ask_type)))


def verdict(
    ask_type: AskType,
    policy: Policy,
    now: datetime,
    *,
    audience: Mapping[str, Any] | None = None,
    widen: Iterable[str] = (),
    check_open: bool = True,
) -> Case:
    """One CASE naming the first rule a contact fails for `ask_type` as of `now`, or 'ok'.

    The database evaluates WHEN branches in order and stops at the first that holds, so a
    contact outside the audience costs one test, not every rule's lookups: the short-circuit a
    hand-written WHERE clause gets. Order: the audience, the rules (`requirements`), an open
    ask of the type, the caps; a rule that holds for approval last (`hold:<code>`).
    """
    whens: list[When] = []
    if audience:
        whens.append(
            When(not_true(compile_condition(audience, now)), then=Value("not_in_audience"))
        )
    rules = requirements(policy, ask_type, widen)
    whens += [When(refuses(r, now), then=Value(r.code)) for r in rules if not r.holds]
    if check_open:
        whens.append(When(open_ask(ask_type), then=Value("already_open")))
    whens += [When(q, then=Value(code)) for code, q in cap_refusals(ask_type, policy, now)]
    whens += [When(refuses(r, now), then=Value(HOLD + r.code)) for r in rules if r.holds]
    return Case(*whens, default=Value(OK), output_field=CharField())


def outcome_of(code: str) -> str:
    """The outcome a decision refused with this reason code records."""
    if code == "not_in_audience":
        return Outcome.NOT_IN_AUDIENCE
    if code == "already_open":
        return Outcome.ALREADY_OPEN
    if code.startswith("cap_") or code == "not_willing":
        return Outcome.BLOCKED_CAP
    if code.startswith("excluded_"):
        return Outcome.BLOCKED_EXCLUSION
    return Outcome.NOT_ELIGIBLE


def cap_words(ask_type: AskType, policy: Policy, code: str) -> str:
    """What a cap refusal says: which window, how long, or the type's own limit."""
    if code == "cap_ask_type":
        rules = policy.for_type(ask_type.code)
        per = f"per {rules.per_days} days" if rules.per_days is not None else "ever"
        return f"tap cap: at most {rules.max_asks} {ask_type.name.lower()} ask(s) {per}"
    effort = code.removeprefix("cap_").removesuffix("_effort")
    words = effort.replace("_", " ")
    return f"tap cap: one ask of {words} effort or higher per {policy.cap_for(effort)} days"


def cap_codes(ask_type: AskType, policy: Policy) -> list[str]:
    """The codes of `cap_refusals`, in its order, without building its SQL."""
    codes = [cap_code(e) for e in reversed(covering(ask_type, policy))] + ["not_willing"]
    limited = policy.for_type(ask_type.code).max_asks is not None
    return codes + (["cap_ask_type"] if limited else [])


def refusal_words(ask_type: AskType, policy: Policy, widen: Iterable[str] = ()) -> dict[str, str]:
    """Every code `verdict` can refuse an ask of this type with, and the words for it."""
    words = {"not_in_audience": REASONS["not_in_audience"]}
    for r in requirements(policy, ask_type, widen):
        words[r.code] = f"excluded: {r.text}" if r.blocks else f"not met: {r.text}"
    words["already_open"] = REASONS["already_open"]
    for code in cap_codes(ask_type, policy):
        words[code] = REASONS[code] if code == "not_willing" else cap_words(ask_type, policy, code)
    return words
