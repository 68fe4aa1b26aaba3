"""The periods value moments cover: a calendar month, an ISO week, a calendar year (UTC).

parse(kind, label) -> Span        "2026-11", "2026-W48", "2026"
last_complete(kind, now) -> Span  the latest period that ended at or before `now`
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta


class PeriodError(ValueError):
    """A period label that names no period of its kind."""


MONTH, WEEK, YEAR = "month", "week", "year"


@dataclass(frozen=True)
class Span:
    unit: str  # month, week or year
    label: str  # 2026-11, 2026-W48, 2026
    start: datetime  # inclusive
    end: datetime  # exclusive

    @property
    def words(self) -> str:
        """The period as people say it: November 2026, the week of 23 Nov 2026, 2026."""
        if self.unit == MONTH:
            return f"{self.start:%B %Y}"
        if self.unit == WEEK:
            return f"the week of {self.start.day} {self.start:%b %Y}"
        return self.label

    def before(self) -> Span:
        """The period just before, of the same unit."""
        return containing(self.unit, self.start - timedelta(seconds=1))

    def months(self) -> list[Span]:
        """The months of a year (or the one month), in order."""
        found, at = [], self.start
        while at < self.end:
            month = containing(MONTH, at)
            found.append(month)
            at = month.end
        return found


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def containing(unit: str, moment: datetime) -> Span:
    """The period of `unit` that holds `moment`."""
    day = moment.astimezone(UTC).date()
    if unit == MONTH:
        start = date(day.year, day.month, 1)
        end = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
        return Span(MONTH, f"{day:%Y-%m}", _midnight(start), _midnight(end))
    if unit == WEEK:
        start = day - timedelta(days=day.weekday())
        year, week, _ = start.isocalendar()
        return Span(WEEK, f"{year}-W{week:02d}", _midnight(start), _midnight(start) + timedelta(7))
    if unit == YEAR:
        first, after = date(day.year, 1, 1), date(day.year + 1, 1, 1)
        return Span(YEAR, str(day.year), _midnight(first), _midnight(after))
    raise PeriodError(f"no such unit: {unit!r}")


def last_complete(unit: str, now: datetime) -> Span:
    """The latest period of `unit` that is over at `now`."""
    return containing(unit, now).before()


def parse(unit: str, label: str) -> Span:
    """The period a label names; PeriodError says what was expected."""
    text = label.strip()
    try:
        if unit == MONTH and re.fullmatch(r"\d{4}-\d{2}", text):
            return containing(MONTH, _midnight(date(int(text[:4]), int(text[5:]), 1)))
        if unit == WEEK and re.fullmatch(r"\d{4}-W\d{2}", text):
            monday = date.fromisocalendar(int(text[:4]), int(text[6:]), 1)
            return containing(WEEK, _midnight(monday))
        if unit == YEAR and re.fullmatch(r"\d{4}", text):
            return containing(YEAR, _midnight(date(int(text), 1, 1)))
    except ValueError:
        pass
    example = {MONTH: "2026-11", WEEK: "2026-W48", YEAR: "2026"}.get(unit, "")
    raise PeriodError(f"{label!r} is not a {unit}: expected one like {example}")
