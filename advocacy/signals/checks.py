"""What a signal may hold: one check of its value and one of its moment, for every way in.

`record_signals` (which the REST API writes through) and the CSV import's hot path both call
these two functions, so a signal refused by one is refused by the other, for the same reason:

- `value_problem(kind, value)`: a scored kind (`SCALES`: NPS a whole number from 0 to 10, CSAT
  a whole number from 1 to 5, a health score a number from 0 to 100) needs a value on its
  scale; any other kind may carry a number or none. A whole number is an `int`: a float was
  written with a decimal point or an exponent (`9.5`, `9.0`, `1e1`) and is not an answer on a
  whole-number scale. A boolean is never a number, and no value is beyond `VALUE_LIMIT`.
- `moment_problem(occurred_at, now=...)`: a signal happened on or after
  `ADVOCACY_SIGNAL_EARLIEST` (2000-01-01 by default) and not later than a few minutes after
  `now` (`clock.AHEAD`, as for `as_of`: two machines' clocks seldom agree).

Each answers None, or a `Problem` naming the field, what was expected and what was found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings

from advocacy.core.clock import AHEAD
from advocacy.signals.models import SCALES

# The largest magnitude of any signal's value: beyond it is a unit error or garbage.
VALUE_LIMIT = 10**12
NO_SCALE = f"a number from -{VALUE_LIMIT:,} to {VALUE_LIMIT:,}, or none"


@dataclass(frozen=True)
class Problem:
    field: str
    expected: str
    found: str
    message: str


def shown(value: object) -> str:
    """A value as the sender wrote it, near enough: JSON's true and false, 10.0 not 10."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)[:100]


def value_expected(kind: str) -> str:
    scale = SCALES.get(kind)
    return NO_SCALE if scale is None else scale.expected


def value_problem(kind: str, value: object) -> Problem | None:
    """What is wrong with `value` for a signal of `kind`, or None; see the module docstring."""
    scale = SCALES.get(kind)
    if value is None:
        if scale is None:
            return None
        return Problem("value", scale.expected, "", f"{kind} needs a value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        message = "a boolean is not a number" if isinstance(value, bool) else "not a number"
        return Problem("value", value_expected(kind), shown(value), message)
    if not math.isfinite(value):
        return Problem("value", value_expected(kind), shown(value), "not a finite number")
    if not -VALUE_LIMIT <= value <= VALUE_LIMIT:
        return Problem("value", value_expected(kind), shown(value), "value out of range")
    if scale is None:
        return None
    if scale.whole and isinstance(value, float):
        message = (
            f"{kind} is a whole number: written without a decimal point or an exponent"
            if value.is_integer()
            else f"{kind} is a whole number, not a fraction"
        )
        return Problem("value", scale.expected, shown(value), message)
    if not scale.low <= value <= scale.high:
        return Problem("value", scale.expected, shown(value), f"{kind} value out of range")
    return None


def earliest() -> datetime:
    """The earliest moment a signal may have happened: ADVOCACY_SIGNAL_EARLIEST, UTC."""
    day = settings.SIGNAL_EARLIEST
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def moment_expected(floor: datetime) -> str:
    minutes = int(AHEAD.total_seconds() // 60)
    return f"a moment from {floor.date().isoformat()} to {minutes} minutes after now"


def moment_problem(
    occurred_at: datetime, *, now: datetime, floor: datetime | None = None
) -> Problem | None:
    """What is wrong with when a signal happened, or None; `floor` defaults to `earliest()`.

    Callers checking many signals read `earliest()` once and pass it as `floor`.
    """
    floor = earliest() if floor is None else floor
    if occurred_at < floor:
        message = f"before {floor.date().isoformat()}: older than any signal kept"
    elif occurred_at > now + AHEAD:
        minutes = int(AHEAD.total_seconds() // 60)
        message = f"in the future (at most {minutes} minutes ahead of now)"
    else:
        return None
    return Problem("occurred_at", moment_expected(floor), occurred_at.isoformat(), message)
