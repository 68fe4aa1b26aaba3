"""Queries compiled once and run at any moment: Django builds the SQL, not every run.

A play's candidate query is the same SQL at every `now`; only the parameters move with the
clock (cut-offs such as `now - 90 days`) and with the watermark of incremental runs. Building
and compiling that query through the ORM costs as much as running it on a large program, and a
replay over a year builds it hundreds of times.

The first run of a query goes through the ORM as usual, and its SQL and parameters are kept. The
second compiles it once more at a moment that differs from the first in every field (year, month,
day, hour, ... microsecond) and at another watermark, and learns from the two, for each
parameter, whether it is a constant, a moment at a fixed offset from `now` (datetime or date),
or the watermark. A query whose SQL changes between the two, or a parameter that is none of
these, is never templated: it goes through the ORM every time. From then on a run executes the
very SQL and parameters the ORM would have produced, without building them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet

# How far the learning compilation moves the clock and the watermark: every field of the moment
# changes, so a parameter that merely depends on the date (a year, a first of the month) is
# caught as not a shift.
_SHIFT = timedelta(days=397, hours=5, minutes=7, seconds=11, microseconds=13)
_WATERMARK_SHIFT = 7_919
# A query may also take a fixed number of values in slots (the ids of an `IN (...)`): built as
# watermark + 1, + 2, ..., they are told apart from the watermark and from constants the same
# way, and bound from `slots` at run time.
MAX_SLOTS = 1_000

Build = Callable[[datetime, int], QuerySet[Any]]


@dataclass(frozen=True)
class _Param:
    kind: str  # "const", "datetime", "date", "watermark", "slot"
    value: Any  # the constant, or the offset from now
    text: bool  # the backend passes moments as text (SQLite)


def _compile(qs: QuerySet[Any]) -> tuple[str, tuple[Any, ...], list[str]]:
    query = qs.query
    sql, params = query.get_compiler(connection.alias).as_sql()
    if query.selected:  # the column order of QuerySet.values(), as Django's ValuesIterable
        names = list(query.selected)
    else:
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
    return sql, tuple(params), names


def _as_moment(value: Any) -> tuple[str, datetime | date, bool] | None:
    """('datetime'|'date', the moment, passed as text) or None for anything else."""
    if isinstance(value, datetime):
        return "datetime", value if value.tzinfo else value.replace(tzinfo=UTC), False
    if isinstance(value, date):
        return "date", value, False
    if isinstance(value, str) and 10 <= len(value) <= 32 and value[:4].isdigit():
        try:
            if len(value) == 10:
                return "date", date.fromisoformat(value), True
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        return "datetime", moment if moment.tzinfo else moment.replace(tzinfo=UTC), True
    return None


def _learn(first: Any, second: Any, t0: datetime, w0: int) -> _Param | None:
    """What a parameter is, from its values at (t0, w0) and at (t0 + _SHIFT, w0 + shift)."""
    t1 = t0 + _SHIFT
    if first == second:
        return _Param("const", first, False)
    if isinstance(first, int) and isinstance(second, int) and not isinstance(first, bool):
        if second - first == _WATERMARK_SHIFT and first == w0:
            return _Param("watermark", 0, False)
        if second - first == _WATERMARK_SHIFT and 0 < first - w0 <= MAX_SLOTS:
            return _Param("slot", first - w0 - 1, False)  # the (first - w0)th of `slots`
        return None
    a, b = _as_moment(first), _as_moment(second)
    if a is None or b is None or a[0] != b[0]:
        return None
    if isinstance(a[1], datetime) and isinstance(b[1], datetime):
        shift: timedelta = a[1] - t0
        if b[1] - t1 != shift:
            return None
        return _Param("datetime", shift, a[2])
    if isinstance(a[1], datetime) or isinstance(b[1], datetime):
        return None
    shift = a[1] - t0.date()
    if b[1] - t1.date() != shift:
        return None
    return _Param("date", shift, a[2])


def _value(param: _Param, now: datetime, watermark: int, slots: Sequence[Any]) -> Any:
    if param.kind == "const":
        return param.value
    if param.kind == "watermark":
        return watermark
    if param.kind == "slot":
        return slots[param.value]
    if param.kind == "datetime":
        moment = now + param.value
        return connection.ops.adapt_datetimefield_value(moment) if param.text else moment
    day = now.date() + param.value  # as `(now - days).date()` is, in now's own zone
    return connection.ops.adapt_datefield_value(day) if param.text else day


@dataclass(frozen=True)
class PreparedQuery:
    sql: str
    params: tuple[_Param, ...]
    names: tuple[str, ...]

    def parameters(self, now: datetime, watermark: int = 0, slots: Sequence[Any] = ()) -> list[Any]:
        return [_value(p, now, watermark, slots) for p in self.params]

    def rows(
        self, now: datetime, watermark: int = 0, slots: Sequence[Any] = ()
    ) -> list[dict[str, Any]]:
        return _run(self.sql, self.parameters(now, watermark, slots), self.names)

    def to_json(self) -> dict[str, Any] | None:
        """A JSON form to keep in the database; None when a constant is not plain JSON."""
        params: list[list[Any]] = []
        for p in self.params:
            if p.kind in ("datetime", "date"):
                shift: timedelta = p.value
                value: Any = [shift.days, shift.seconds, shift.microseconds]
            elif p.value is None or isinstance(p.value, bool):
                value = p.value
            elif isinstance(p.value, str):  # TextChoices members too, as their plain value
                value = str.__str__(p.value)
            elif isinstance(p.value, int | float):
                value = int(p.value) if isinstance(p.value, int) else float(p.value)
            else:
                return None
            params.append([p.kind, value, p.text])
        return {"sql": self.sql, "params": params, "names": list(self.names)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PreparedQuery:
        params = tuple(
            _Param(kind, timedelta(*value) if kind in ("datetime", "date") else value, text)
            for kind, value, text in data["params"]
        )
        return cls(data["sql"], params, tuple(data["names"]))


@dataclass(frozen=True)
class _Sample:
    """A first run's compilation, kept to learn the template from at the second run."""

    sql: str
    params: tuple[Any, ...]
    names: tuple[str, ...]
    now: datetime
    watermark: int


def _learn_template(sample: _Sample, build: Build) -> PreparedQuery | None:
    t1, w1 = sample.now + _SHIFT, sample.watermark + _WATERMARK_SHIFT
    sql1, p1, _ = _compile(build(t1, w1))
    if sql1 != sample.sql or len(p1) != len(sample.params):
        return None
    learned: list[_Param] = []
    for first, second in zip(sample.params, p1, strict=True):
        param = _learn(first, second, sample.now, sample.watermark)
        if param is None:
            return None
        learned.append(param)
    return PreparedQuery(sample.sql, tuple(learned), sample.names)


def prepare(build: Build, now: datetime, watermark: int = 1) -> PreparedQuery | None:
    """Learn the template of `build` from a compilation at (now, watermark) and one more."""
    sql, params, names = _compile(build(now, watermark))
    return _learn_template(_Sample(sql, params, tuple(names), now, watermark), build)


def _run(sql: str, params: Sequence[Any], names: Sequence[str]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


_UNTEMPLATED = object()


class PreparedCache:
    """Templates by key (for this database); `rows` runs a query through them.

    The key must name everything the query depends on besides `now` and the watermark (the
    play and its digest, the policy...).
    """

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self._entries: dict[tuple[Any, ...], Any] = {}

    def rows(
        self, key: tuple[Any, ...], build: Build, now: datetime, watermark: int = 0
    ) -> list[dict[str, Any]]:
        return _run(*self.statement(key, build, now, watermark))

    def statement(
        self, key: tuple[Any, ...], build: Build, now: datetime, watermark: int = 0
    ) -> tuple[str, list[Any], tuple[str, ...]]:
        """The SQL, parameters and column names of the query at (now, watermark), from the
        template when there is one: for a caller that runs it itself (as `INSERT … SELECT`)."""
        full = (connection.alias, connection.vendor, connection.settings_dict["NAME"], *key)
        entry = self._entries.get(full)
        if isinstance(entry, PreparedQuery):
            return entry.sql, entry.parameters(now, watermark), entry.names
        if isinstance(entry, _Sample):
            learned = _learn_template(entry, build)
            self._entries[full] = _UNTEMPLATED if learned is None else learned
            if learned is not None:
                return learned.sql, learned.parameters(now, watermark), learned.names
        sql, params, names = _compile(build(now, watermark))
        if entry is None:
            if len(self._entries) >= self.limit:
                self._entries.pop(next(iter(self._entries)))
            self._entries[full] = _Sample(sql, params, tuple(names), now, watermark)
        return sql, list(params), tuple(names)

    def put(self, key: tuple[Any, ...], template: PreparedQuery) -> None:
        full = (connection.alias, connection.vendor, connection.settings_dict["NAME"], *key)
        self._entries[full] = template

    def template(self, key: tuple[Any, ...]) -> PreparedQuery | None:
        full = (connection.alias, connection.vendor, connection.settings_dict["NAME"], *key)
        entry = self._entries.get(full)
        return entry if isinstance(entry, PreparedQuery) else None

    def clear(self) -> None:
        self._entries.clear()
