"""Inserting many rows as plain tuples: the database's work, without a model instance per row.

`bulk_create` builds, validates and prepares every field of every instance in Python, which for
thousands of rows costs more than the INSERT itself. Hot paths (opening a run's asks, recording
its decisions) hand columns and tuples to these functions instead; values are adapted per column
the way Django's fields would adapt them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def _same(value: Any) -> Any:
    return value


def _column(model: type[models.Model], name: str) -> tuple[str, str, Callable[[Any], Any]]:
    """(quoted column, placeholder, adapter) for one field of `model`, named by attname."""
    field = next(f for f in model._meta.concrete_fields if f.attname == name)
    ops = connection.ops
    adapt: Callable[[Any], Any] = _same
    placeholder = "%s"
    if isinstance(field, models.DateTimeField):
        adapt = ops.adapt_datetimefield_value
    elif isinstance(field, models.DateField):
        adapt = ops.adapt_datefield_value
    elif isinstance(field, models.JSONField):
        adapt = json.dumps
        if connection.vendor == "postgresql":
            placeholder = "CAST(%s AS jsonb)"
    return ops.quote_name(str(field.column)), placeholder, adapt


def _defaults(model: type[models.Model], columns: Sequence[str]) -> dict[str, Any]:
    """The value of every other column, as a new instance would have it (a field added later
    with a default needs no change to the callers)."""
    now = timezone.now()
    found: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in columns:
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        found[field.attname] = now if auto else field.get_default()
    return found


def _adapted(
    adapters: Sequence[Callable[[Any], Any]], rows: Sequence[Sequence[Any]], rest: tuple[Any, ...]
) -> list[tuple[Any, ...]]:
    """The rows with each value adapted, and the other columns' values appended.

    Runs repeat the same objects (one `now`, a few lists of reasons), so each column adapts an
    object once: by identity, which holds while `rows` keeps the objects alive.
    """
    adapting: list[tuple[int, Callable[[Any], Any], dict[int, Any]]] = [
        (i, a, {}) for i, a in enumerate(adapters) if a is not _same
    ]
    if not adapting:
        return [(*row, *rest) for row in rows]
    out = []
    for row in rows:
        values = list(row)
        for i, adapt, memo in adapting:
            value = values[i]
            key = id(value)
            if key in memo:
                values[i] = memo[key]
            else:
                values[i] = memo[key] = adapt(value)
        out.append((*values, *rest))
    return out


def _statement(
    model: type[models.Model], columns: Sequence[str]
) -> tuple[str, str, list[Callable[[Any], Any]], tuple[Any, ...]]:
    """INSERT head, one row's placeholders, the adapters of `columns`, the other columns' values."""
    defaults = _defaults(model, columns)
    parts = [_column(model, name) for name in [*columns, *defaults]]
    head = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "
        f"({', '.join(p[0] for p in parts)}) VALUES "
    )
    rest = tuple(p[2](v) for p, v in zip(parts[len(columns) :], defaults.values(), strict=True))
    return head, f"({', '.join(p[1] for p in parts)})", [p[2] for p in parts[: len(columns)]], rest


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    conflict: str = "",
) -> None:
    """INSERT `rows` (tuples in the order of `columns`, attnames) in one executemany.

    `conflict` is an optional ON CONFLICT clause, e.g. "ON CONFLICT (a, b) DO NOTHING".
    """
    if not rows:
        return
    head, values, adapters, rest = _statement(model, columns)
    adapted = _adapted(adapters, rows, rest)
    with connection.cursor() as cursor:
        cursor.executemany(f"{head}{values} {conflict}", adapted)


def insert_returning(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    returning: Sequence[str],
    *,
    conflict: str = "",
) -> list[tuple[Any, ...]]:
    """INSERT `rows` with multi-row VALUES, returning the `returning` columns of each new row.

    The rows come back in no promised order: return a key with the id (e.g. the unique columns).
    `conflict` is an optional ON CONFLICT clause; with "ON CONFLICT (a) DO NOTHING", a row left
    out for a conflict returns nothing, so the rows returned are exactly the ones inserted.
    """
    if not rows:
        return []
    head, values, adapters, rest = _statement(model, columns)
    width = len(columns) + len(rest)
    back = ", ".join(_column(model, name)[0] for name in returning)
    # PostgreSQL's wire protocol bounds a statement at 65,535 parameters; SQLite reports its own.
    limit = getattr(connection.features, "max_query_params", None) or 65_535
    per_statement = max(1, limit // width)
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = [value for row in _adapted(adapters, chunk, rest) for value in row]
            sql = f"{head}{', '.join([values] * len(chunk))} {conflict} RETURNING {back}"
            cursor.execute(sql, params)
            found.extend(tuple(r) for r in cursor.fetchall())
    return found
