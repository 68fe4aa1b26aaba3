"""What follows an ask's opening: its owner is routed and its checklist copied, set-based.

`advocacy.engine.asks.open_asks` (the one way asks are created) calls `asks_opened` with the
ids it created, so every ask, from a play or by hand, gets both in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from advocacy.pipeline.checklists import create_checklists
from advocacy.pipeline.routing import route_asks


def asks_opened(ask_ids: Sequence[int], *, now: datetime, actor: Any = None) -> None:
    """Route the new asks and copy their checklists: a few queries for any number of asks."""
    if not ask_ids:
        return
    route_asks(ask_ids, now=now, actor=actor)
    create_checklists(ask_ids)
