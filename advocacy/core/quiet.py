"""Quiet hours: the hours of the recipient's night in which no message goes out.

`ADVOCACY_QUIET_HOURS=20:00-08:00` holds every message to a person whose local time (their
contact's time zone, else ADVOCACY_TIME_ZONE) is from 20:00 until 08:00; it goes at 08:00 their
time. A window may also lie within one day (`12:00-14:00`). `off` (or empty) means none.
Plain functions of a moment and a zone: no database, imported by the settings too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def _inside(self, at: time) -> bool:
        if self.start < self.end:
            return self.start <= at < self.end
        return at >= self.start or at < self.end  # across midnight

    def holds_until(self, now: datetime, zone: ZoneInfo) -> datetime | None:
        """The moment (aware, in `zone`) the quiet hours holding `now` end; None if they don't."""
        local = now.astimezone(zone)
        if not self._inside(local.timetz().replace(tzinfo=None)):
            return None
        day = local.date()
        if local.time() >= self.end and self.start > self.end:
            day += timedelta(days=1)  # before midnight: it ends tomorrow morning
        end = datetime.combine(day, self.end)
        # A gap at the end (summer time starting) would name an hour that does not exist: the
        # zone's fold rules take the next real moment, which is later, never earlier.
        return end.replace(tzinfo=zone)


def _clock(text: str) -> time:
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"expected a time like 08:00, found {text.strip()!r}")
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise ValueError(f"no such time of day: {text.strip()!r}")
    return time(h, m)


def parse_quiet_hours(text: str) -> QuietHours | None:
    """`20:00-08:00` → QuietHours; `off` or empty → None; ValueError otherwise."""
    value = text.strip().lower()
    if value in {"", "off", "none"}:
        return None
    start, sep, end = value.partition("-")
    if not sep:
        raise ValueError(f"expected START-END like 20:00-08:00 (or off), found {text!r}")
    window = QuietHours(_clock(start), _clock(end))
    if window.start == window.end:
        raise ValueError("the quiet hours start and end at the same time: write off for none")
    return window
