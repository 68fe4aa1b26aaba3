"""Reading the moment a command or a request acts at (the clock is read only at the edge).

Every writing command takes `--as-of WHEN` and every writing endpoint `as_of`, defaulting to
now, so that history can be backfilled and a replay gives the same records. One range holds
for both: from 1970 to 2099 (date arithmetic cannot overflow), and never later than a few
minutes ahead of the clock (a moment in the future would be history written in advance).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
# How far ahead of the clock a recorded moment may be: two machines' clocks seldom agree.
AHEAD = timedelta(minutes=5)


def parse_moment(text: str, *, end_of_day: bool = False) -> datetime:
    """An ISO date or date-time; naive values are in the configured time zone."""
    day = parse_date(text) if len(text.strip()) == 10 else None
    try:
        moment = None if day is not None else parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None:
        if day is None:
            raise ValueError(
                f"expected a date (2026-05-31) or date-time (2026-05-31T14:00), found {text!r}"
            )
        moment = (
            datetime(day.year, day.month, day.day, 23, 59, 59)
            if end_of_day
            else datetime(day.year, day.month, day.day)
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{text!r} has no moment in UTC") from None


def within_range(moment: datetime) -> datetime:
    """The moment, if date arithmetic on it cannot overflow (1970 to 2099)."""
    if not EARLIEST <= moment < LATEST:
        raise ValueError(f"expected a moment from 1970 to 2099, found {moment.isoformat()}")
    return moment


def not_ahead(moment: datetime, *, now: datetime) -> datetime:
    """The moment, if it is not later than `now` by more than AHEAD."""
    if moment > now + AHEAD:
        minutes = int(AHEAD.total_seconds() // 60)
        raise ValueError(
            f"{moment.isoformat()} is in the future (at most {minutes} minutes ahead of now)"
        )
    return moment


def as_of(text: str | None, *, now: datetime) -> datetime:
    """The moment to act at: `text` parsed and bounded, or `now` when none is given."""
    if text is None:
        return now
    return not_ahead(within_range(parse_moment(text)), now=now)
