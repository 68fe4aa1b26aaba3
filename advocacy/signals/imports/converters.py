"""Cell converters: one small function per field type, compiled once per import, not per row.

A converter takes a stripped, non-empty cell and returns the value or raises `ValueError` whose
message says what was wrong; `Field.expected` says what was expected, for the error report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from advocacy.core import zones
from advocacy.customers.models import Persona, Region, SizeBand
from advocacy.customers.records import clean_domain, clean_email
from advocacy.signals.models import SignalKind

Convert = Callable[[str], Any]

# Dates the presets' tools write besides ISO 8601 (which is always accepted).
US_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y")
US_DATETIME_FORMATS = ("%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y")

_COUNTRIES: dict[str, str] = {}
for _region, _names in {
    Region.NORTH_AMERICA: "us united states|usa|united states of america|america|ca canada",
    Region.LATIN_AMERICA: (
        "mx mexico|br brazil|brasil|ar argentina|cl chile|co colombia|pe peru|uy uruguay|"
        "ve venezuela|ec ecuador|cr costa rica|pa panama|gt guatemala|do dominican republic|"
        "pr puerto rico|bo bolivia|py paraguay"
    ),
    Region.EMEA: (
        "gb united kingdom|uk|great britain|england|scotland|wales|ie ireland|fr france|"
        "de germany|deutschland|es spain|españa|it italy|pt portugal|nl netherlands|"
        "the netherlands|holland|be belgium|lu luxembourg|ch switzerland|at austria|"
        "se sweden|no norway|dk denmark|fi finland|is iceland|pl poland|cz czechia|"
        "czech republic|sk slovakia|hu hungary|ro romania|bg bulgaria|gr greece|hr croatia|"
        "si slovenia|ee estonia|lv latvia|lt lithuania|ua ukraine|tr turkey|türkiye|il israel|"
        "ae united arab emirates|uae|sa saudi arabia|qa qatar|kw kuwait|eg egypt|ma morocco|"
        "ng nigeria|ke kenya|za south africa|gh ghana|rs serbia|cy cyprus|mt malta"
    ),
    Region.APAC: (
        "au australia|nz new zealand|jp japan|cn china|hk hong kong|tw taiwan|kr south korea|"
        "korea|republic of korea|sg singapore|in india|id indonesia|my malaysia|th thailand|"
        "vn vietnam|viet nam|ph philippines|pk pakistan|bd bangladesh|lk sri lanka"
    ),
}.items():
    for _entry in _names.split("|"):
        _code, _, _rest = _entry.partition(" ")
        if len(_code) == 2 and _rest:
            _COUNTRIES[_code] = _region
            _COUNTRIES[_rest] = _region
        else:
            _COUNTRIES[_entry] = _region

_REGIONS = {
    **{c.value: c.value for c in Region},
    **{c.label.casefold(): c.value for c in Region},
    "north america": Region.NORTH_AMERICA.value,
    "latin america": Region.LATIN_AMERICA.value,
    "europe": Region.EMEA.value,
    "asia pacific": Region.APAC.value,
}
_SIZE_BANDS = {
    **{c.value: c.value for c in SizeBand},
    **{c.label.casefold(): c.value for c in SizeBand},
    "smb": SizeBand.SMB.value,
    "mid-market": SizeBand.MID_MARKET.value,
    "mid market": SizeBand.MID_MARKET.value,
}
_PERSONAS = {
    **{c.value: c.value for c in Persona},
    **{c.label.casefold(): c.value for c in Persona},
    "decision maker": Persona.DECISION_MAKER.value,
    "power user": Persona.POWER_USER.value,
    "end user": Persona.END_USER.value,
    "user": Persona.END_USER.value,
    "exec": Persona.EXECUTIVE.value,
}
KIND_ALIASES = {
    **{k: k for k in SignalKind.values},
    "net promoter score": SignalKind.NPS.value,
    "net_promoter_score": SignalKind.NPS.value,
    "health": SignalKind.HEALTH_SCORE.value,
    "healthscore": SignalKind.HEALTH_SCORE.value,
    "milestone": SignalKind.USAGE_MILESTONE.value,
    "usage": SignalKind.USAGE_MILESTONE.value,
    "ticket": SignalKind.TICKET_OPENED.value,
    "ticket_created": SignalKind.TICKET_OPENED.value,
    "ticket_resolved": SignalKind.TICKET_CLOSED.value,
    "review": SignalKind.REVIEW_PUBLISHED.value,
    "nomination": SignalKind.CSM_NOMINATION.value,
    "unsubscribe": SignalKind.OPT_OUT.value,
    "unsubscribed": SignalKind.OPT_OUT.value,
    "optout": SignalKind.OPT_OUT.value,
}
_TRUE = frozenset({"true", "yes", "y", "1", "x", "t", "on", "checked"})
_FALSE = frozenset({"false", "no", "n", "0", "f", "off", "unchecked"})
# A number in digits, its decimals after a point or a comma (the checks bound its size).
_NUMBER = re.compile(r"^([+-]?[0-9]+)(?:[.,]([0-9]+))?$")
_EXPONENT = re.compile(r"^[+-]?[0-9]*(?:[.,][0-9]*)?[eE][+-]?[0-9]+$")
_MONEY_JUNK = re.compile(r"[\s$€£¥,_']|usd|eur|gbp", re.IGNORECASE)
_HUBSPOT_ENUM = re.compile(r"^[A-Z0-9]+(?:_[A-Z0-9]+)+$")


@dataclass(frozen=True)
class Field:
    """One of our fields: how to convert a cell and what to tell the user it expected."""

    name: str
    convert: Convert
    expected: str


def text(max_length: int) -> Convert:
    def convert(cell: str) -> str:
        if len(cell) > max_length:
            raise ValueError(f"too long: {len(cell)} characters")
        return cell

    return convert


ZONE_EXPECTED = zones.EXPECTED


def time_zone(cell: str) -> str:
    """An IANA zone name, as the tz database spells it (Europe/Paris)."""
    return zones.zone_name(cell)


def industry(cell: str) -> str:
    """Keep the text, turning HubSpot's enum style (COMPUTER_SOFTWARE) into words."""
    if _HUBSPOT_ENUM.match(cell):
        cell = cell.replace("_", " ").title()
    return text(100)(cell)


def email(cell: str) -> str:
    return clean_email(cell)


def domain(cell: str) -> str:
    return clean_domain(cell)


def integer(cell: str) -> int:
    cleaned = cell.replace(",", "").replace("_", "").replace(" ", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("not a whole number") from None
    if number != number.to_integral_value() or number < 0 or number > 2_000_000_000:
        raise ValueError("not a whole number from 0 to 2,000,000,000")
    return int(number)


def money(cell: str) -> Decimal:
    cleaned = _MONEY_JUNK.sub("", cell)
    try:
        amount = Decimal(cleaned).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError("not an amount") from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        raise ValueError("not an amount below 1,000,000,000,000")
    return amount


def boolean(cell: str) -> bool:
    lowered = cell.casefold()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("not a yes/no value")


def items(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[;|]", cell) if part.strip())


def choice(table: dict[str, str], what: str) -> Convert:
    def convert(cell: str) -> str:
        found = table.get(cell.casefold()) or table.get(cell.casefold().replace("_", " "))
        if found is None:
            raise ValueError(f"unknown {what}")
        return found

    return convert


def region(cell: str) -> str:
    lowered = cell.casefold()
    found = _REGIONS.get(lowered) or _COUNTRIES.get(lowered)
    if found is None:
        raise ValueError("unknown region")
    return found


def country_region(cell: str) -> str:
    """A country's region; an unknown country gives a blank region, never an error."""
    return _COUNTRIES.get(cell.casefold().strip(" ."), "")


def signal_kind(cell: str) -> str:
    key = cell.strip().casefold().replace("-", "_").replace(" ", "_")
    found = KIND_ALIASES.get(key) or KIND_ALIASES.get(key.replace("_", " "))
    if found is None:
        raise ValueError("unknown signal kind")
    return found


def number(cell: str) -> int | float:
    """A number written in digits: an int when it has no decimals (`9`), else a float (`8.5`,
    `8,5`, `9.0`). An exponent (`1e1`), an infinity or a word (`true`) is not a number here."""
    match = _NUMBER.match(cell)
    if match is None:
        if _EXPONENT.match(cell):
            raise ValueError("written with an exponent: give the number in digits")
        raise ValueError("not a number")
    whole, fraction = match.group(1, 2)
    if len(whole) > 16:
        raise ValueError("too large")
    return int(whole) if fraction is None else float(f"{whole}.{fraction[:20]}")


def date_parser(formats: tuple[str, ...]) -> Convert:
    def convert(cell: str) -> date:
        try:
            return (
                date.fromisoformat(cell[:10])
                if len(cell) >= 10 and cell[4] == "-"
                else fallback(cell)
            )
        except ValueError:
            raise ValueError("not a date") from None

    def fallback(cell: str) -> date:
        for fmt in formats:
            try:
                return datetime.strptime(cell, fmt).date()
            except ValueError:
                continue
        raise ValueError("not a date")

    return convert


def datetime_parser(formats: tuple[str, ...], default_tz: tzinfo) -> Convert:
    """ISO 8601 (with Z or an offset) fast, then `formats`; naive times are in `default_tz`."""
    fromiso = datetime.fromisoformat

    def convert(cell: str) -> datetime:
        try:
            moment = fromiso(cell)
        except ValueError:
            moment = fallback(cell)
        if moment.tzinfo is None:
            return moment.replace(tzinfo=default_tz)
        return moment

    def fallback(cell: str) -> datetime:
        for fmt in formats:
            try:
                return datetime.strptime(cell, fmt)
            except ValueError:
                continue
        raise ValueError("not a date and time")

    return convert
