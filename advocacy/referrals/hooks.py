"""What the layers above do when referrals move: a small registry.

Referrals sit below rewards, which credits the bonuses into its ledger; referrals must not
import it, yet the credit must be written in the transaction of the move, or a crash between
the two would lose a bonus or pay one for a move that never happened. So rewards registers a
hook here in its AppConfig.ready(), and `move` calls `referrals_moved` inside its transaction.
A hook MUST be set-based, MUST NOT commit, and SHOULD return at once for the statuses it does
not act on. An exception in a hook rolls the move back with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Moved:
    referral_id: int
    advocate_id: int  # the referrer, a contact
    from_status: str
    to_status: str
    deal_cents: int | None


MoveHook = Callable[[Sequence[Moved], Any, datetime], None]  # (moves, actor, now)
HOOKS: dict[str, MoveHook] = {}


def register(name: str, hook: MoveHook) -> None:
    HOOKS[name] = hook


def referrals_moved(moves: Sequence[Moved], *, actor: Any, now: datetime) -> None:
    if not moves:
        return
    for hook in HOOKS.values():
        hook(moves, actor, now)
