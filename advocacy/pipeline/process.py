"""What follows an ask's opening: its owner is routed and its checklist copied, set-based.

`advocacy.engine.asks.open_asks` (the one way asks are created) calls `asks_opened` with the
ids it created, so every ask, from a play or by hand, gets both in the same transaction. When
no routing rule is enabled it routes the asks before writing them (`routing.route_openings`:
the same routes and events, without writing each ask twice).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from advocacy.pipeline.checklists import create_checklists
from advocacy.pipeline.routing import route_asks
from advocacy.pipeline.team_notices import assigned


def asks_opened(
    ask_ids: Sequence[int], *, now: datetime, actor: Any = None, routed: bool = False
) -> None:
    """Route the new asks and copy their checklists: a few queries for any number of asks.

    `routed`: the asks were written already routed (`routing.route_openings`, when no rule
    applies), with their routing events.

    An ask opened by someone (a nomination by hand) tells its owner, if that is someone else;
    the asks a play opens are on their owners' boards without a notice each (a play may open
    hundreds at once).
    """
    if not ask_ids:
        return
    if not routed:
        route_asks(ask_ids, now=now, actor=actor, tell=False)
    create_checklists(ask_ids)
    if actor is not None:
        assigned(ask_ids, now=now, actor=actor, note=f"opened by {actor.get_username()}")
