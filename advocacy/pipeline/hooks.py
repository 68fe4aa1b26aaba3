"""What the layers above do in the transaction that opens or moves asks: a small registry.

The pipeline and the engine sit below the apps that act on an ask's moves (messaging writes an
outbox row when an ask is queued, a thank-you when it completes). They must not import those
apps, yet the row must be written in the same transaction as the move, or a crash between the
two would lose the message or send one for a move that never happened. So the upper app
registers a hook here in its AppConfig.ready(), and `open_asks` and `advance_ask(s)` call
`asks_entered` with the ids that reached a status, inside their transaction.

A hook MUST be set-based (a few queries for any number of ids), MUST NOT commit, and SHOULD
return at once, without a query, for the statuses it does not act on. An exception in a hook
rolls the move back with it: that is the point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

# (ids of the asks, the status they entered, now, whether they were just opened in it)
AskHook = Callable[[Sequence[int], str, datetime, bool], None]

HOOKS: dict[str, AskHook] = {}


def register(name: str, hook: AskHook) -> None:
    HOOKS[name] = hook


def asks_entered(ask_ids: Sequence[int], status: str, *, now: datetime, opened: bool) -> None:
    """Tell every registered hook that these asks entered `status` (in the caller's
    transaction)."""
    if not ask_ids:
        return
    for hook in HOOKS.values():
        hook(ask_ids, status, now, opened)
