"""Periods and segments: the two things every metric is computed for.

A period is a half-open interval `[start, end)` in the program's time zone; a segment narrows
the contacts (and so their signals, asks and decisions) by account industry, region and size
band, and by the contact's persona. Both parse from the short text the CLI, the API and the web
filters share, and refuse anything else with a message that names the accepted forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from advocacy.customers.models import Persona, Region, SizeBand

PERIOD_FORMS = (
    "Nd (the last N days, e.g. 90d), YYYY-MM (a month), YYYY-QN (a quarter), YYYY (a year), "
    "or YYYY-MM-DD..YYYY-MM-DD (whole days, both included)"
)
AVERAGE_MONTH_DAYS = 365.25 / 12


class PeriodError(ValueError):
    """A period or segment that cannot be read; the message says what would be."""


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # excluded
    label: str

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

    @property
    def months(self) -> float:
        """The period's length in average months (a review velocity divides by it)."""
        return self.days / AVERAGE_MONTH_DAYS

    def shifted(self, days: int) -> Period:
        delta = timedelta(days=days)
        return Period(self.start + delta, self.end + delta, f"{self.label} {days:+d}d")

    @classmethod
    def trailing(cls, days: int, now: datetime, label: str = "") -> Period:
        return cls(now - timedelta(days=days), now, label or f"last {days} days")


YEARS = (1900, 9998)  # room for the two years a retention looks back and a period's end


def _check_year(year: int) -> None:
    if not YEARS[0] <= year <= YEARS[1]:
        raise PeriodError(f"year {year} is out of range: expected {YEARS[0]} to {YEARS[1]}")


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _month_start(year: int, month: int) -> datetime:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return _midnight(date(year, month, 1))


def month_period(year: int, month: int) -> Period:
    if not 1 <= month <= 12:
        raise PeriodError(f"no month {month}: expected 01 to 12")
    _check_year(year)
    return Period(_month_start(year, month), _month_start(year, month + 1), f"{year}-{month:02d}")


def parse_period(text: str, *, now: datetime) -> Period:
    """Read a period: `90d`, `2026-11`, `2026-Q4`, `2026`, `2026-01-01..2026-03-31`."""
    text = text.strip()
    if m := re.fullmatch(r"(\d{1,4})d", text):
        days = int(m[1])
        if days < 1:
            raise PeriodError("a period of days needs at least 1 day")
        return Period.trailing(days, now)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        return month_period(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
        year, quarter = int(m[1]), int(m[2])
        _check_year(year)
        first = 3 * (quarter - 1) + 1
        return Period(
            _month_start(year, first), _month_start(year, first + 3), f"{year}-Q{quarter}"
        )
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m[1])
        _check_year(year)
        return Period(_month_start(year, 1), _month_start(year + 1, 1), str(year))
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
        try:
            first_day, last_day = date.fromisoformat(m[1]), date.fromisoformat(m[2])
        except ValueError as exc:
            raise PeriodError(f"{text!r}: {exc}") from None
        _check_year(first_day.year)
        _check_year(last_day.year)
        if last_day < first_day:
            raise PeriodError(f"{text!r}: the period ends before it starts")
        return Period(_midnight(first_day), _midnight(last_day + timedelta(days=1)), text)
    raise PeriodError(f"unknown period {text!r}: expected {PERIOD_FORMS}")


SEGMENT_CHOICES: dict[str, list[str]] = {
    "region": list(Region.values),
    "size_band": list(SizeBand.values),
    "persona": list(Persona.values),
}


@dataclass(frozen=True)
class Segment:
    """Contacts by account industry, region and size band, and by persona; empty: everyone."""

    industry: str = ""
    region: str = ""
    size_band: str = ""
    persona: str = ""

    def __post_init__(self) -> None:
        for key, allowed in SEGMENT_CHOICES.items():
            value = getattr(self, key)
            if value and value not in allowed:
                raise PeriodError(f"unknown {key} {value!r}: expected one of {', '.join(allowed)}")

    @property
    def is_everyone(self) -> bool:
        return not any(self.as_dict().values())

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def label(self) -> str:
        given = [f"{k}={v}" for k, v in self.as_dict().items() if v]
        return ", ".join(given) or "everyone"

    def q(self, *, contact: str, account: str) -> Q:
        """The filter for rows reaching the contact by `contact` and its account by `account`
        (paths ending in `__`, or "" for the model itself)."""
        q = Q()
        for key in ("industry", "region", "size_band"):
            if value := getattr(self, key):
                q &= Q(**{f"{account}{key}": value})
        if self.persona:
            q &= Q(**{f"{contact}persona": self.persona})
        return q


def parse_segment(text: str | None) -> Segment:
    """Read `industry=Software,region=emea` (keys: industry, region, size_band, persona)."""
    given: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in {f.name for f in fields(Segment)}:
            raise PeriodError(
                f"unknown segment part {part!r}: expected key=value with keys "
                "industry, region, size_band, persona"
            )
        given[key] = value.strip()
    return Segment(**given)
