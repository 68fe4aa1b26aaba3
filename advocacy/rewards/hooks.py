"""What the layers above do when an advocate rises a tier: a small registry.

Rewards sits below messaging, which writes the congratulation into the outbox; it must not
import it, yet the row must be written in the transaction that completed the activity. So
messaging registers a hook here in its AppConfig.ready(), and the earning step calls
`tiers_rose` with every rise it found. A hook MUST be set-based and MUST NOT commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TierRise:
    ask_id: int  # the activity whose completion lifted the advocate
    contact_id: int
    from_level: int
    to_level: int
    tier: str  # the new tier's name


RiseHook = Callable[[Sequence[TierRise], datetime], None]
HOOKS: dict[str, RiseHook] = {}


def register(name: str, hook: RiseHook) -> None:
    HOOKS[name] = hook


def tiers_rose(rises: Sequence[TierRise], *, now: datetime) -> None:
    if not rises:
        return
    for hook in HOOKS.values():
        hook(rises, now)
