"""Policy: every threshold behind eligibility, stage, rung, exclusions and tap caps, in one place.

Defaults come from the practitioners' documents; where they disagree, the default and the document
it follows are written in docs/policy.md. A playbook folder's `policy.yaml` overrides any of them,
and every key it accepts drives a decision (a test per key proves it; a key that would drive
nothing is refused).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

EFFORTS = ("low", "medium", "high", "very_high")
STAGES = ("activation", "engagement", "expansion", "mature")
# The exclusions that may hold an ask for a person's approval instead of refusing it.
HOLDABLE = ("excluded_sensitive_industry", "excluded_competitor_adjacent", "excluded_churn_risk")


class PolicyError(ValueError):
    """A policy that cannot be read; `field` is the dotted path of the offending key."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class AskTypeRules:
    """What one ask type adds to (or sets instead of) the program's gate, and its own limit.

    A threshold left unset (None) is the program's. `max_asks` per `per_days` (None: ever)
    limits how often the type is asked of one person; `default_max_asks` is what a person who
    has not said how often gets (their own choice may go up to `max_asks`, never past it).
    `effort_cap: false` puts the type outside the effort windows: its own limit governs it.
    """

    nps_min: int | None = None
    nps_fresh_days: int | None = None
    health_min: int | None = None
    tenure_days_min: int | None = None
    active_within_days: int | None = None
    results_within_days: int | None = None
    max_asks: int | None = None
    per_days: int | None = None
    default_max_asks: int | None = None
    effort_cap: bool = True
    anonymous_variant: str = ""


def _default_ask_types() -> dict[str, AskTypeRules]:
    # Seed 003's must-haves of the reference program (6+ months, health above 75) for the asks
    # that put an advocate in front of outsiders at length; the low-effort asks keep seed 001's.
    def program(**more: Any) -> AskTypeRules:
        return AskTypeRules(health_min=76, tenure_days_min=180, **more)

    return {
        "review": AskTypeRules(max_asks=1, per_days=90),  # seed 001: quarterly
        "testimonial_quote": AskTypeRules(max_asks=1, anonymous_variant="anonymous_quote"),
        "anonymous_quote": AskTypeRules(max_asks=1),
        "case_study": program(
            results_within_days=365, max_asks=1, anonymous_variant="anonymous_quote"
        ),
        "video_testimonial": program(anonymous_variant="anonymous_quote"),
        # Seed 003: 1-3 a month, the advocate's choice; one unless they say more.
        "reference_call": program(max_asks=3, per_days=30, default_max_asks=1, effort_cap=False),
        "speaker": program(max_asks=1, per_days=365),  # seed 001: annually
        "content_cocreation": program(max_asks=1, per_days=90),  # quarterly
        "advisory_board": program(),
    }


def _default_stages() -> dict[str, tuple[str, ...]]:
    # Seed 000, section 2. A later stage also fits the asks of the earlier ones.
    return {
        "activation": (),  # usually too early: focus on adoption first
        "engagement": ("review", "testimonial_quote", "anonymous_quote", "community"),
        "expansion": ("referral", "case_study", "reference_call", "video_testimonial"),
        "mature": ("speaker", "advisory_board", "content_cocreation"),
    }


@dataclass(frozen=True)
class Policy:
    # The gate of every advocacy ask (seed 001's eligibility criteria).
    nps_min: int = 9
    nps_fresh_days: int = 180  # seed 002: match the ask to the score's recency
    health_min: int = 70
    tenure_days_min: int = 90
    active_within_days: int = 30
    require_csm_owner: bool = True  # "good CSM rapport": the account has an owning CSM
    # Exclusions (seed 003, "Exclude" and its edge cases).
    dissatisfied_nps_max: int = 6
    dissatisfied_health_below: int = 50
    ticket_quiet_days: int = 14  # "never during or immediately after support issues"
    hold_for_approval: tuple[str, ...] = ("excluded_sensitive_industry",)  # case by case
    # Lifecycle stage (seed 000, section 2).
    activation_days: int = 90
    mature_tenure_days: int = 365
    mature_health_min: int = 80
    expansion_window_days: int = 365
    stages: Mapping[str, tuple[str, ...]] = field(default_factory=_default_stages)
    # Advocacy ladder (seed 001).
    satisfied_nps_min: int = 7
    satisfied_health_min: int = 60
    champion_activities: int = 3
    ambassador_activities: int = 5
    # Tap caps in days per effort class (seed 002: high once a quarter, low monthly; medium
    # and very high are ours). Each window covers the asks of its effort and higher.
    cap_days: Mapping[str, int] = field(
        default_factory=lambda: {"low": 30, "medium": 60, "high": 90, "very_high": 180}
    )
    ask_types: Mapping[str, AskTypeRules] = field(default_factory=_default_ask_types)
    # Give before ask (seed 000's give-get model, seed 002's "a program that only extracts dies
    # within a year"): an ask of one of these efforts waits until the program has given the
    # person more than it asked of them in 12 months (advocacy.engine.reciprocity). Off by
    # default: a program turns it on once its gifts are recorded.
    give_before_ask: bool = False
    give_before_efforts: tuple[str, ...] = ("high", "very_high")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Policy:
        """Build a policy from YAML data; PolicyError names the offending key's path."""
        known = [f.name for f in fields(cls)]
        for key in data:
            if key not in known:
                raise PolicyError(str(key), f"unknown key; known: {', '.join(known)}")
        policy = cls()
        changes: dict[str, Any] = {}
        for key, value in data.items():
            if key == "cap_days":
                caps = dict(policy.cap_days)
                for effort, days in _mapping(value, key).items():
                    if effort not in EFFORTS:
                        raise PolicyError(f"{key}.{effort}", f"not an effort; one of {EFFORTS}")
                    caps[effort] = _whole(days, f"{key}.{effort}")
                changes[key] = caps
            elif key == "stages":
                stages = dict(policy.stages)
                for stage, codes in _mapping(value, key).items():
                    if stage not in STAGES:
                        raise PolicyError(f"{key}.{stage}", f"not a stage; one of {STAGES}")
                    stages[stage] = _codes(codes, f"{key}.{stage}")
                changes[key] = stages
            elif key == "ask_types":
                types = dict(policy.ask_types)
                for code, rules in _mapping(value, key).items():
                    types[str(code)] = _ask_type_rules(rules, f"{key}.{code}")
                changes[key] = types
            elif key == "hold_for_approval":
                codes = _codes(value, key)
                for i, code in enumerate(codes):
                    if code not in HOLDABLE:
                        raise PolicyError(f"{key}[{i}]", f"{code!r} is not one of {HOLDABLE}")
                changes[key] = codes
            elif key == "give_before_efforts":
                efforts = _codes(value, key)
                for i, effort in enumerate(efforts):
                    if effort not in EFFORTS:
                        raise PolicyError(f"{key}[{i}]", f"not an effort; one of {EFFORTS}")
                changes[key] = efforts
            elif key in ("require_csm_owner", "give_before_ask"):
                if not isinstance(value, bool):
                    raise PolicyError(key, f"expected true or false, found {value!r}")
                changes[key] = value
            else:
                changes[key] = _whole(value, key)
        return replace(policy, **changes)

    def cap_for(self, effort: str) -> int:
        return int(self.cap_days[effort])

    def for_type(self, code: str) -> AskTypeRules:
        return self.ask_types.get(code) or AskTypeRules()

    def gate_value(self, code: str, key: str) -> int:
        """A gate threshold for one ask type: its own if set, else the program's."""
        own = getattr(self.for_type(code), key)
        return int(getattr(self, key) if own is None else own)

    def stages_for(self, code: str) -> tuple[str, ...]:
        """The stages an ask of this type fits: the first that lists it, and every later one
        (a type the map does not name fits every stage past activation)."""
        for i, stage in enumerate(STAGES):
            if code in self.stages.get(stage, ()):
                return STAGES[i:]
        return STAGES[1:]

    def codes_named(self) -> list[tuple[str, str]]:
        """(path, ask type code) of every code the policy names, for checking the catalogue."""
        named = [(f"stages.{s}", c) for s, codes in self.stages.items() for c in codes]
        for code, rules in self.ask_types.items():
            named.append((f"ask_types.{code}", code))
            if rules.anonymous_variant:
                named.append((f"ask_types.{code}.anonymous_variant", rules.anonymous_variant))
        return named


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PolicyError(path, f"expected a mapping, found {value!r}")
    return value


def _whole(value: Any, path: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise PolicyError(path, f"expected a whole number ≥ 0, found {value!r}")
    return value


def _codes(value: Any, path: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(path, f"expected a list of codes, found {value!r}")
    return tuple(value)


def _ask_type_rules(value: Any, path: str) -> AskTypeRules:
    data = _mapping(value, path)
    known = [f.name for f in fields(AskTypeRules)]
    changes: dict[str, Any] = {}
    for key, v in data.items():
        where = f"{path}.{key}"
        if key not in known:
            raise PolicyError(where, f"unknown key; known: {', '.join(known)}")
        if key == "effort_cap":
            if not isinstance(v, bool):
                raise PolicyError(where, f"expected true or false, found {v!r}")
            changes[key] = v
        elif key == "anonymous_variant":
            if not isinstance(v, str):
                raise PolicyError(where, f"expected an ask type code, found {v!r}")
            changes[key] = v
        elif v is None and key in ("per_days", "default_max_asks"):
            changes[key] = None
        else:
            changes[key] = _whole(v, where)
    rules = AskTypeRules(**changes)
    if rules.max_asks is None and (rules.per_days is not None or rules.default_max_asks):
        raise PolicyError(f"{path}.max_asks", "per_days and default_max_asks need max_asks")
    low, high = rules.default_max_asks, rules.max_asks
    if low is not None and high is not None and not 1 <= low <= high:
        raise PolicyError(f"{path}.default_max_asks", f"expected between 1 and max_asks ({high})")
    if rules.max_asks == 0:
        raise PolicyError(f"{path}.max_asks", "expected at least 1 (retire the ask type instead)")
    return rules


DEFAULT_POLICY = Policy()


def read_policy(folder: Path | None) -> Policy:
    """The policy of a playbook folder: its policy.yaml over the defaults (none: defaults).

    Raises PolicyError naming the file, line and key path of the first problem.
    """
    if folder is None:
        return DEFAULT_POLICY
    path = folder / "policy.yaml"
    if not path.exists():
        return DEFAULT_POLICY
    return parse_policy(path.read_text(encoding="utf-8"), path.name)


class PolicyFileError(PolicyError):
    """A PolicyError located in its file: `file:line: field: message`."""

    def __init__(self, file: str, line: int, field: str, message: str) -> None:
        super().__init__(field, message)
        self.file, self.line = file, line

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.file}:{self.line}: {where}{self.message}"


def parse_policy(text: str, filename: str = "policy.yaml") -> Policy:
    """Parse policy YAML text; errors carry the file, the line and the field."""
    from advocacy.engine.yamlpaths import line_of, split_path

    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise PolicyFileError(
            filename, line, "", f"not valid YAML: {getattr(exc, 'problem', exc)}"
        ) from None
    if not isinstance(data, Mapping):
        raise PolicyFileError(filename, 1, "", "expected a mapping of setting to value")
    try:
        return Policy.from_mapping(data)
    except PolicyError as exc:
        raise PolicyFileError(
            filename, line_of(node, split_path(exc.field)), exc.field, exc.message
        ) from None
