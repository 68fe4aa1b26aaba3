"""Policy: the thresholds behind readiness, stage, rung, eligibility, exclusions and tap caps.

Defaults come from the seed documents; where they disagree the default and its source are noted
beside the value (and in docs/engine.md). A playbook folder's `policy.yaml` overrides any of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

EFFORTS = ("low", "medium", "high", "very_high")


@dataclass(frozen=True)
class Policy:
    # Eligibility (seed 001 table; seed 003 is stricter: health > 75, tenure 6+ months).
    nps_min: int = 9
    health_min: int = 70
    tenure_days_min: int = 90
    active_within_days: int = 30
    nps_fresh_days: int = 180  # seed 002: match the ask to the score's recency
    # Exclusions (seed 003 "Exclude", seed 003 edge cases).
    dissatisfied_nps_max: int = 6
    dissatisfied_health_below: int = 50
    ticket_quiet_days: int = 14  # "never during or immediately after support issues"
    # Lifecycle stage (seed 000 section 2).
    activation_days: int = 90
    mature_tenure_days: int = 365
    mature_health_min: int = 80
    expansion_window_days: int = 365
    # Advocacy ladder (seed 001).
    satisfied_nps_min: int = 7
    satisfied_health_min: int = 60
    champion_activities: int = 3
    ambassador_activities: int = 5
    # Tap caps in days per effort class (seed 002: high once a quarter, low monthly;
    # medium and very high are ours: between, and twice the high window).
    cap_days: Mapping[str, int] = field(
        default_factory=lambda: {"low": 30, "medium": 60, "high": 90, "very_high": 180}
    )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], path: str = "policy") -> Policy:
        """Build a policy from YAML data, refusing unknown keys and wrong types by name."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"{path}: unknown keys {unknown}; known: {sorted(known)}")
        policy = cls()
        changes: dict[str, Any] = {}
        for key, value in data.items():
            if key == "cap_days":
                if not isinstance(value, Mapping):
                    raise ValueError(f"{path}.cap_days: expected a mapping of effort to days")
                caps = dict(policy.cap_days)
                for effort, days in value.items():
                    if effort not in EFFORTS:
                        raise ValueError(f"{path}.cap_days.{effort}: not one of {EFFORTS}")
                    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
                        raise ValueError(f"{path}.cap_days.{effort}: expected days ≥ 0")
                    caps[effort] = days
                changes[key] = caps
            elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{path}.{key}: expected a whole number ≥ 0, found {value!r}")
            else:
                changes[key] = value
        return replace(policy, **changes)

    def cap_for(self, effort: str) -> int:
        return int(self.cap_days[effort])


DEFAULT_POLICY = Policy()


def read_policy(folder: Path | None) -> Policy:
    """The policy of a playbook folder: its policy.yaml over the defaults (none: defaults)."""
    if folder is None:
        return DEFAULT_POLICY
    path = folder / "policy.yaml"
    if not path.exists():
        return DEFAULT_POLICY
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{path.name}: expected a mapping of setting to value")
    return Policy.from_mapping(data, path.name)
