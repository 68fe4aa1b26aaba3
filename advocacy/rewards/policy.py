"""Tier policies and the charity list, declared in YAML files, validated when loaded.

A tier policy (tiers/<code>.yaml) is versioned and names its tiers from lowest to highest;
each tier declares what it requires, what it credits (`per` activity, quarter or year) and its
benefits. Tiers are a ladder: a tier is reached only when every tier below it is, so rewards are
cumulative ("everything in the tier below, plus"). A file that breaks a rule is refused with the
rule it breaks, never half-loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

HERE = Path(__file__).resolve().parent
TIERS_DIR = HERE / "tiers"
VERSION = 1
REQUIREMENTS: dict[str, type | tuple[type, ...]] = {
    "activities": int,  # completed activities in the period
    "ask_types": list,  # at least one completed activity of one of these types in the period
    "published_ask_types": list,  # at least one of these published (ever)
    "nps_at_least": (int, float),  # the latest NPS answer
    "tenure_months": int,  # the account a customer this long
    "active_agreement": bool,  # an active advocacy agreement on the day
}
PERIODS = ("quarter", "year", "ever")
PER = ("activity", "quarter", "year")
REWARD_TYPES = ("donation", "product_credit", "gift_card", "experience", "access")


class PolicyError(ValueError):
    """A policy file breaks a rule; the message names the file, the place and the rule."""


@dataclass(frozen=True)
class TierReward:
    per: str
    reward_type: str
    amount_cents: int
    text: str


@dataclass(frozen=True)
class Tier:
    code: str
    name: str
    level: int  # 1 the lowest
    requires: dict[str, Any]
    rewards: tuple[TierReward, ...]
    benefits: tuple[str, ...]
    asks: tuple[str, ...]


@dataclass(frozen=True)
class TierPolicy:
    code: str
    name: str
    version: int
    period: str
    source: str
    tiers: tuple[Tier, ...]

    def tier(self, code: str) -> Tier:
        for tier in self.tiers:
            if tier.code == code:
                return tier
        raise KeyError(code)

    def name_of(self, level: int) -> str:
        return self.tiers[level - 1].name if level > 0 else "No tier"

    def rewards_up_to(self, level: int, per: str) -> list[tuple[Tier, int, TierReward]]:
        """The rewards of every tier up to `level` (cumulative), with their index in the tier."""
        return [
            (tier, n, reward)
            for tier in self.tiers[:level]
            for n, reward in enumerate(tier.rewards)
            if reward.per == per
        ]


def _fail(where: str, rule: str) -> PolicyError:
    return PolicyError(f"{where}: {rule}")


def parse_policy(data: Any, where: str) -> TierPolicy:
    if not isinstance(data, dict):
        raise _fail(where, "expected a mapping at the top")
    if data.get("version") != VERSION:
        raise _fail(where, f"version: expected {VERSION}, found {data.get('version')!r}")
    for key in ("code", "name"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise _fail(where, f"{key}: required text")
    period = data.get("period", "quarter")
    if period not in PERIODS:
        raise _fail(where, f"period: expected one of {', '.join(PERIODS)}, found {period!r}")
    raw = data.get("tiers")
    if not isinstance(raw, list) or not raw:
        raise _fail(where, "tiers: expected a list of at least one tier")
    tiers: list[Tier] = []
    seen: set[str] = set()
    for i, t in enumerate(raw, start=1):
        at = f"{where}: tiers[{i}]"
        if not isinstance(t, dict) or not t.get("code") or not t.get("name"):
            raise PolicyError(f"{at}: each tier needs a code and a name")
        if t["code"] in seen:
            raise PolicyError(f"{at}: the code {t['code']!r} is used twice")
        seen.add(t["code"])
        requires = t.get("requires") or {}
        if not isinstance(requires, dict) or not requires:
            raise PolicyError(f"{at}: requires: at least one requirement")
        for key, value in requires.items():
            if key not in REQUIREMENTS:
                known = ", ".join(REQUIREMENTS)
                raise PolicyError(f"{at}: requires: unknown {key!r} (known: {known})")
            wanted = REQUIREMENTS[key]
            if (isinstance(value, bool) and wanted is not bool) or not isinstance(value, wanted):
                raise PolicyError(f"{at}: requires.{key}: wrong kind of value {value!r}")
        rewards = []
        for j, r in enumerate(t.get("rewards") or [], start=1):
            rat = f"{at}: rewards[{j}]"
            if not isinstance(r, dict) or r.get("per") not in PER:
                raise PolicyError(f"{rat}: per: expected one of {', '.join(PER)}")
            if r.get("type") not in REWARD_TYPES:
                raise PolicyError(f"{rat}: type: expected one of {', '.join(REWARD_TYPES)}")
            amount = r.get("amount")
            if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount <= 0:
                raise PolicyError(f"{rat}: amount: expected a positive number of dollars")
            cents = int(Decimal(str(amount)) * 100)
            rewards.append(TierReward(r["per"], r["type"], cents, str(r.get("text", ""))))
        tiers.append(
            Tier(
                code=str(t["code"]),
                name=str(t["name"]),
                level=i,
                requires=dict(requires),
                rewards=tuple(rewards),
                benefits=tuple(str(b) for b in t.get("benefits") or []),
                asks=tuple(str(a) for a in t.get("asks") or []),
            )
        )
    return TierPolicy(
        code=data["code"],
        name=data["name"],
        version=VERSION,
        period=period,
        source=str(data.get("source", "")),
        tiers=tuple(tiers),
    )


@cache
def load_policy(code: str) -> TierPolicy:
    path = TIERS_DIR / f"{code}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in TIERS_DIR.glob("*.yaml")))
        raise PolicyError(f"no tier policy {code!r} (known: {known})")
    return parse_policy(yaml.safe_load(path.read_text()), path.name)


def active_policy() -> TierPolicy:
    """The policy that ranks advocates (the setting ADVOCACY_REWARDS_TIERS)."""
    return load_policy(settings.REWARDS_TIERS)


def policy_codes() -> list[str]:
    return sorted(p.stem for p in TIERS_DIR.glob("*.yaml"))


@dataclass(frozen=True)
class Charity:
    code: str
    name: str


@cache
def _charities(path: str) -> tuple[Charity, ...]:
    file = Path(path) if path else HERE / "charities.yaml"
    data = yaml.safe_load(file.read_text()) or []
    out = []
    for i, row in enumerate(data, start=1):
        if not isinstance(row, dict) or not row.get("code") or not row.get("name"):
            raise PolicyError(f"{file.name}: entry {i}: needs a code and a name")
        if row.get("status") != "501(c)(3)":
            raise PolicyError(f"{file.name}: {row['code']}: only 501(c)(3) organisations")
        out.append(Charity(str(row["code"]), str(row["name"])))
    return tuple(out)


def charities() -> tuple[Charity, ...]:
    return _charities(settings.REWARDS_CHARITIES)
