"""The scheduler's pass over value moments: each kind sent once its period is over.

The periodic job `value-moments` (every hour, registered in ValueConfig.ready) calls
`run_due(now)`: the monthly insight for the month just over, the weekly one for the week just
over, the year in review for the year just over, each while its window after the period's end
is open (a scheduler down for longer does not send an old period's numbers as news). Every send
is once per contact, kind and period (advocacy.value.services.send), so each hourly pass after
the first writes nothing. It records what the program gave as `value_given` signals too
(advocacy.value.gifts), for the reciprocity balance and the engine's give-before-ask rule.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from advocacy.value import periods, services
from advocacy.value.models import MomentKind

M = MomentKind
# How long after its period is over a value moment is still sent by the scheduler.
WINDOWS = {
    M.MONTHLY: timedelta(days=7),
    M.WEEKLY: timedelta(days=3),
    M.WRAPPED: timedelta(days=14),
    M.ACCOUNT_WRAPPED: timedelta(days=14),
}


def due(now: datetime) -> list[tuple[MomentKind, periods.Span]]:
    """The (kind, period) pairs whose window is open at `now`."""
    found = []
    for kind, window in WINDOWS.items():
        span = periods.last_complete(services.UNIT[kind], now)
        if span.end <= now < span.end + window:
            found.append((kind, span))
    return found


def run_due(now: datetime) -> dict[str, Any]:
    """Send every value moment due at `now`; returns what each send did."""
    from advocacy.value.gifts import record_gifts

    sent = [services.send(kind, span, now=now).as_dict() for kind, span in due(now)]
    return {"sent": sent, "gifts": record_gifts(now)}
