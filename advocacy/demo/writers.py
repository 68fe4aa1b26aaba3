"""Write generated rows to a table by the fastest plain path the database offers.

SQLite: `executemany` on the driver's connection; PostgreSQL: COPY through psycopg. Both in
chunks of CHUNK rows, committed every COMMIT_ROWS rows. Rows arrive as tuples of Python values
in the order of the fields the writer was given; every other concrete field gets its model
default, computed once, so a field added to the model later (with a default) does not break
the demo.

This bypasses model validation and the services on purpose: the generator's rows are valid by
construction, and at benchmark scale (10M signals) the ORM would be the bottleneck.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction

CHUNK = 20_000  # rows per executemany / COPY (and per progress update)
COMMIT_ROWS = 500_000  # rows per transaction

Converter = Callable[[Any], Any]


def _sqlite_datetime(value: datetime | None) -> str | None:
    # Django stores aware datetimes in SQLite as naive UTC text: "YYYY-MM-DD HH:MM:SS[.ffffff]".
    return None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _sqlite_decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


class TableWriter:
    """Append rows to one model's table in chunks; `write` yields the count of each chunk."""

    def __init__(
        self, model: type[models.Model], fields: Sequence[str], chunk: int | None = None
    ) -> None:
        opts = model._meta
        given = [opts.get_field(name) for name in fields]
        given_names = {f.attname for f in given if isinstance(f, models.Field)}
        rest = [
            f for f in opts.concrete_fields if f.attname not in given_names and not f.primary_key
        ]
        self.model = model
        self.chunk = chunk or CHUNK
        self.vendor = connection.vendor
        self.constants = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        fields_in_order = [*given, *rest]
        quote = connection.ops.quote_name
        self.table = quote(opts.db_table)
        self.columns = ", ".join(quote(str(f.column)) for f in fields_in_order)  # type: ignore[union-attr]
        self.converters: list[tuple[int, Converter]] = []
        if self.vendor == "sqlite":
            for position, field in enumerate(given):
                if isinstance(field, models.DateTimeField):
                    self.converters.append((position, _sqlite_datetime))
                elif isinstance(field, models.DateField):
                    self.converters.append((position, _sqlite_date))
                elif isinstance(field, models.DecimalField):
                    self.converters.append((position, _sqlite_decimal))

    def write(self, rows: Iterable[tuple[Any, ...]]) -> Iterator[int]:
        """Write in batches of `chunk` rows, committing every COMMIT_ROWS rows.

        Large transactions matter on SQLite: each commit appends every index page it touched
        to the WAL, and signals land all over the (kind, occurred_at) index, so 20k-row
        commits rewrite that index again and again (4x slower at 1M rows).
        """
        iterator = iter(rows)
        while True:
            written = 0
            with transaction.atomic():
                while written < COMMIT_ROWS:
                    batch = list(itertools.islice(iterator, self.chunk))
                    if not batch:
                        break
                    self._write_batch(batch)
                    written += len(batch)
                    yield len(batch)
            if written < COMMIT_ROWS:
                return

    def _prepare(self, batch: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        constants, converters = self.constants, self.converters
        if not converters:
            return [row + constants for row in batch] if constants else batch
        prepared = []
        for row in batch:
            values = list(row)
            for position, convert in converters:
                values[position] = convert(values[position])
            prepared.append((*values, *constants))
        return prepared

    def _write_batch(self, batch: list[tuple[Any, ...]]) -> None:
        rows = self._prepare(batch)
        width = len(rows[0])
        connection.ensure_connection()
        raw = connection.connection
        if self.vendor == "postgresql":
            copy_sql = f"COPY {self.table} ({self.columns}) FROM STDIN"
            with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        elif self.vendor == "sqlite":
            marks = ", ".join("?" * width)
            raw.executemany(f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})", rows)
        else:
            marks = ", ".join(["%s"] * width)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})", rows
                )


def next_id(model: type[models.Model]) -> int:
    """The first free primary key: rows written with explicit ids start here."""
    top = model._default_manager.aggregate(top=models.Max("pk"))["top"]
    return int(top or 0) + 1


def reset_sequences(*model_classes: type[models.Model]) -> None:
    """Move PostgreSQL's id sequences past ids written explicitly (no-op elsewhere)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
