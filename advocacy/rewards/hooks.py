"""What the layers above do when an advocate rises a tier, or is credited: small registries.

Rewards sits below messaging, which writes the congratulation into the outbox; it must not
import it, yet the row must be written in the transaction that completed the activity. So
messaging registers a hook here in its AppConfig.ready(), and the earning step calls
`tiers_rose` with every rise it found. A hook MUST be set-based and MUST NOT commit.

Likewise every write of credits (per activity, referral bonuses, per quarter or year, by hand)
calls `credited` in its transaction with a QuerySet of the entries it just wrote, so outgoing
webhooks (advocacy.integrations.webhooks) tell of them; a hook reads it once, or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from advocacy.rewards.models import Entry


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


CreditHook = Callable[["QuerySet[Entry]", datetime], None]
CREDIT_HOOKS: dict[str, CreditHook] = {}


def register_credit(name: str, hook: CreditHook) -> None:
    CREDIT_HOOKS[name] = hook


def credited(entries: QuerySet[Entry], *, now: datetime) -> None:
    """Tell every credit hook of the entries just credited (in the caller's transaction)."""
    for hook in CREDIT_HOOKS.values():
        hook(entries, now)
