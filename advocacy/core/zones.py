"""Time zones by IANA name (`Europe/Paris`): the one check every way in uses.

A name is valid when it is one of the zones the tz database knows (`zoneinfo`, with the
`tzdata` package where the system has none). Paths, abbreviations (`CET` aside, which the
database itself lists) and offsets (`+02:00`) are refused, so a contact's zone always names a
region whose rules, summer time included, the database keeps.
"""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError

EXPECTED = "an IANA time zone name like Europe/Paris or America/New_York"


@cache
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_zone(name: str) -> bool:
    return name in known_zones()


def zone_name(text: str) -> str:
    """The zone `text` names (stripped), or ValueError saying what was expected."""
    name = text.strip()
    if not is_zone(name):
        raise ValueError(f"{text!r} is not {EXPECTED}")
    return name


def validate_zone(value: str) -> None:
    """A model field validator: blank is allowed (no zone: the program's), else a known name."""
    if value and not is_zone(value):
        raise ValidationError(f"{value!r} is not {EXPECTED}", code="invalid_time_zone")


def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(zone_name(name))
