"""Queries compiled once and run at any moment: Django builds the SQL, not every run.

A play's candidate query is the same SQL at every `now`; only the parameters move with the
clock (cut-offs such as `now - 90 days`) and with the watermark of incremental runs. Building
and compiling that query through the ORM costs tens of milliseconds, as much as running it on a
large program, and a replay over a year builds it hundreds of times.

`prepare` compiles the query at three moments and two watermarks and learns, for each
parameter, whether it is a constant, a moment at a fixed offset from `now` (datetime or date),
or the watermark. It accepts the template only if the third compilation is predicted exactly
from the first two; otherwise (a query whose SQL itself changes with time) it refuses, and the
caller compiles every time. So a cached run executes the very SQL and parameters the ORM
would have produced.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet

# Moments and watermarks no real run uses, so a parameter that moves with them is recognised.
_T0 = datetime(2001, 2, 3, 0, 0, 0, tzinfo=UTC)
_T1 = _T0 + timedelta(days=1, hours=1, seconds=1)
_T2 = _T0 + timedelta(days=400, hours=5, minutes=7, seconds=11, microseconds=13)  # another year
_W0, _W1, _W2 = 987_654_301, 987_654_302, 987_654_999

Build = Callable[[datetime, int], QuerySet[Any]]


@dataclass(frozen=True)
class _Param:
    kind: str  # "const", "datetime", "date", "watermark"
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


def _learn(first: Any, second: Any) -> _Param | None:
    if first == second:
        return _Param("const", first, False)
    if isinstance(first, int) and isinstance(second, int) and second - first == _W1 - _W0:
        if first - _W0 == 0:
            return _Param("watermark", 0, False)
        return None
    a, b = _as_moment(first), _as_moment(second)
    if a is None or b is None or a[0] != b[0]:
        return None
    if isinstance(a[1], datetime) and isinstance(b[1], datetime):
        shift: timedelta = a[1] - _T0
        if b[1] - _T1 != shift:
            return None
        return _Param("datetime", shift, a[2])
    if isinstance(a[1], datetime) or isinstance(b[1], datetime):
        return None
    shift = a[1] - _T0.date()
    if b[1] - _T1.date() != shift:
        return None
    return _Param("date", shift, a[2])


def _value(param: _Param, now: datetime, watermark: int) -> Any:
    if param.kind == "const":
        return param.value
    if param.kind == "watermark":
        return watermark
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

    def parameters(self, now: datetime, watermark: int = 0) -> list[Any]:
        return [_value(p, now, watermark) for p in self.params]

    def rows(self, now: datetime, watermark: int = 0) -> list[dict[str, Any]]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.parameters(now, watermark))
            return [dict(zip(self.names, row, strict=True)) for row in cursor.fetchall()]


def prepare(build: Build) -> PreparedQuery | None:
    """Learn the query `build(now, watermark)` once; None when its SQL is not one template."""
    sql0, p0, names = _compile(build(_T0, _W0))
    sql1, p1, _ = _compile(build(_T1, _W1))
    if sql0 != sql1 or len(p0) != len(p1):
        return None
    learned: list[_Param] = []
    for first, second in zip(p0, p1, strict=True):
        param = _learn(first, second)
        if param is None:
            return None
        learned.append(param)
    prepared = PreparedQuery(sql0, tuple(learned), tuple(names))
    sql2, p2, _ = _compile(build(_T2, _W2))
    if sql2 != sql0 or not _same(prepared.parameters(_T2, _W2), p2):
        return None
    return prepared


def _same(predicted: Sequence[Any], actual: Sequence[Any]) -> bool:
    return len(predicted) == len(actual) and all(
        type(a) is type(b) and a == b for a, b in zip(predicted, actual, strict=True)
    )


class PreparedCache:
    """Prepared queries by key, per database connection; unbounded keys are the caller's bug."""

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self._entries: dict[tuple[Any, ...], PreparedQuery | None] = {}

    def get(self, key: tuple[Any, ...], build: Build) -> PreparedQuery | None:
        full = (connection.alias, connection.vendor, connection.settings_dict["NAME"], *key)
        if full not in self._entries:
            if len(self._entries) >= self.limit:
                self._entries.pop(next(iter(self._entries)))
            self._entries[full] = prepare(build)
        return self._entries[full]

    def clear(self) -> None:
        self._entries.clear()
