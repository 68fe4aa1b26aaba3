"""Load the referral bonus policy and say which bonuses a move earns."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings

DEFAULT_PATH = Path(__file__).with_name("bonuses.yaml")
_KEYS = ("meeting_booked", "closed_won", "enterprise", "enterprise_min_dollars")


class PolicyError(ValueError):
    """The bonus file is not a valid policy; the message names the file and the field."""


@dataclass(frozen=True)
class BonusPolicy:
    meeting_booked_cents: int
    closed_won_cents: int
    enterprise_cents: int
    enterprise_min_cents: int

    def bonus_cents(self, status: str, deal_cents: int | None) -> int:
        """Return the bonus for reaching `status`; the enterprise bonus replaces closed won."""
        if status == "meeting_booked":
            return self.meeting_booked_cents
        if status == "closed_won":
            if deal_cents is not None and deal_cents >= self.enterprise_min_cents:
                return self.enterprise_cents
            return self.closed_won_cents
        return 0


def load(path: Path = DEFAULT_PATH) -> BonusPolicy:
    """Read and validate a bonus policy file."""
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict) or data.get("version") != 1:
        raise PolicyError(f"{path}: version must be 1")
    unknown = set(data) - {"version", *_KEYS}
    if unknown:
        raise PolicyError(f"{path}: unknown field {sorted(unknown)[0]}")
    values = {}
    for key in _KEYS:
        value = data.get(key)
        if type(value) is not int or value < 0:
            raise PolicyError(f"{path}: {key} must be a whole number of dollars, 0 or more")
        values[key] = value * 100
    return BonusPolicy(
        meeting_booked_cents=values["meeting_booked"],
        closed_won_cents=values["closed_won"],
        enterprise_cents=values["enterprise"],
        enterprise_min_cents=values["enterprise_min_dollars"],
    )


def active() -> BonusPolicy:
    """The bonus policy in force: the file ADVOCACY_REFERRAL_BONUSES names, else the shipped one."""
    path = settings.REFERRAL_BONUSES
    return load(Path(path) if path else DEFAULT_PATH)
