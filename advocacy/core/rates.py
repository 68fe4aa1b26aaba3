"""A rate such as "10/hour": how many times something may happen per window of time.

Pure parsing, read by the settings (ADVOCACY_JOB_RATE) before any app is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

PERIODS: dict[str, timedelta] = {
    "second": timedelta(seconds=1),
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
}


@dataclass(frozen=True)
class Rate:
    count: int
    period: timedelta
    text: str

    def __str__(self) -> str:
        return self.text


def parse_rate(text: str) -> Rate:
    """`N/second`, `N/minute`, `N/hour` or `N/day`, N a whole number from 1."""
    number, sep, unit = (part.strip() for part in text.strip().partition("/"))
    unit = unit.lower().removesuffix("s")
    if not sep or not number.isdigit() or int(number) < 1 or unit not in PERIODS:
        raise ValueError(
            "expected a rate like 10/hour: a whole number from 1, a slash and one of "
            + ", ".join(PERIODS)
        )
    return Rate(int(number), PERIODS[unit], f"{int(number)}/{unit}")
