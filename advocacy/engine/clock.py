"""Reading times given on the command line or in the API (the clock is read only at the edge)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime


def parse_moment(text: str, *, end_of_day: bool = False) -> datetime:
    """An ISO date or date-time; naive values are in the configured time zone."""
    day = parse_date(text) if len(text.strip()) == 10 else None
    moment = None if day is not None else parse_datetime(text)
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
    return moment.astimezone(UTC)
