"""Schemas shared by every router: errors, pages, bounded strings and moments."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, StringConstraints

from advocacy.core import clock
from advocacy.core.clock import EARLIEST, LATEST

MAX_PAGE = 500
MAX_ID = 2**63 - 1  # the largest primary key the databases hold


class ErrorOut(Schema):
    detail: str
    code: str | None = Field(
        None, description="A reason code where one applies (a tap cap: `cap_low_effort`…)"
    )


class FieldError(Schema):
    """One invalid value: where it is (`loc`; `item` and `field` for a batch) and why."""

    loc: list[str | int]
    msg: str
    type: str
    item: int | None = None
    field: str | None = None


class ValidationErrorOut(Schema):
    detail: str | list[FieldError]


class Page(LimitOffsetPagination):
    """`limit` (1 to 500, default 50) and `offset`; answers `items` and the total `count`."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_PAGE)
        offset: int = Field(0, ge=0, le=1_000_000_000)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE, **kwargs)


# PostgreSQL refuses NUL characters in text; refuse them at the door, in the schema.
NO_NUL = r"^[^\x00]*$"


def bounded(max_length: int, *, min_length: int = 0) -> StringConstraints:
    """Constraints of an input string: bounded, no NUL, surrounding whitespace stripped.

    Use as `Annotated[str, bounded(100)]`.
    """
    return StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=NO_NUL
    )


class ExternalId(Schema):
    """An id given to a record by another system, e.g. `{"source": "hubspot", "id": "123"}`."""

    source: Annotated[str, bounded(50, min_length=1)]
    id: Annotated[str, bounded(255, min_length=1)]


class ExternalIdOut(Schema):
    source: str
    id: str


class BatchOut(Schema):
    """What a batch did: counts, and the id of each item in the order sent."""

    created: int
    updated: int
    unchanged: int
    ids: list[int] = Field(description="The id of each item, in the order sent")


def _sent(value: object) -> str:
    """A JSON value as it was sent, for an error's "found"."""
    try:
        return json.dumps(value)[:100]
    except (TypeError, ValueError):
        return repr(value)[:100]


def _json_integer(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, found {_sent(value)}")
    return value


def _json_number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, found {_sent(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"expected a finite number, found {value!r}")
    return value


def _json_amount(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError(
            f'expected an amount (a number, or text like "120000.50"), found {_sent(value)}'
        )
    return value


# Numbers in a JSON body: only a JSON number is one (`true` is not 1, `"9"` is not 9); a
# whole number has no decimal point or exponent (`1.0`, `1e1` are refused); an amount may also
# be text, so that it travels exactly. Put the marker after any bounds, so that they stay in
# the OpenAPI schema: `Annotated[int, Field(ge=0, le=100), WHOLE]`. Query and path
# parameters arrive as text and keep pydantic's parsing: never use these there.
WHOLE = BeforeValidator(_json_integer)
NUMBER = BeforeValidator(_json_number)
AMOUNT = BeforeValidator(_json_amount)
Number = Annotated[float, NUMBER]
# The id of a row, in a body.
Id = Annotated[int, Field(ge=1, le=MAX_ID), WHOLE]
# Money: at most 14 digits, 2 after the point, not negative.
Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2), AMOUNT]
# A number kept as sent: an int stays an int (a whole number), a float stays a float.
IntOrFloat = Annotated[int | float, NUMBER]


def _day_within_range(value: date) -> date:
    if not EARLIEST.date() <= value < LATEST.date():
        raise ValueError(f"expected a day from 1970 to 2099, found {value.isoformat()}")
    return value


def _in_utc(value: datetime) -> datetime:
    """The same moment in UTC. ISO 8601 allows offsets up to ±23:59, PostgreSQL only ±15:59:
    stored as sent, `+22:26` would be refused by the database instead of by the schema."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value.isoformat()} has no moment in UTC") from None


def _utc_if_naive(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# A moment with its time zone, as UTC.
Instant = Annotated[AwareDatetime, AfterValidator(_in_utc)]
# A moment with its time zone or without one (then read as UTC), as UTC.
UtcInstant = Annotated[datetime, AfterValidator(_utc_if_naive), AfterValidator(_in_utc)]
# The engine's clock: a moment in a range date arithmetic cannot overflow.
Moment = Annotated[AwareDatetime, AfterValidator(_in_utc), AfterValidator(clock.within_range)]
Day = Annotated[date, AfterValidator(_day_within_range)]


def _not_ahead(value: datetime) -> datetime:
    return clock.not_ahead(value, now=timezone.now())


# The moment a write is recorded at: a Moment no later than the clock (and a few minutes).
AsOf = Annotated[Moment, AfterValidator(_not_ahead)]
AS_OF_HELP = "Record it as of this moment (default: now; not ahead of the clock)"


class AsOfIn(Schema):
    """The `as_of` of every write that records a moment: backfill history, replay it."""

    as_of: AsOf | None = Field(None, description=AS_OF_HELP)


def as_of(moment: datetime | None) -> datetime:
    """The moment a write acts at: the `as_of` given, or now (the clock is read here)."""
    return moment or timezone.now()
