"""Keeping the database's planner statistics fresh.

Both databases choose each query's plan from statistics about the tables: which index narrows
most, which table to read first. Without them (a new index, a table that grew from a few rows to
millions) a plan may read a whole index where a lookup would do. `analyze` refreshes them. On
SQLite it reads every index in full (about 4 s on a 4 GB file of 10M signals): SQLite's sampled
form (`analysis_limit`) misjudged how narrow an account segment is and chose a plan 7 times
slower. PostgreSQL samples on its own. It runs after migrations that changed something and
daily as the periodic job `analyze-database`.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

# SQLite keeps temporary data in memory here (settings: `temp_store=MEMORY`). Building an index
# over millions of rows sorts them all: in memory that took 860 MB for one index of 10M signals,
# in files 140 MB. Migrations get the files; the connection's own setting comes back after.
_SAVED_TEMP_STORE: dict[str, int] = {}


def analyze(using: str = DEFAULT_DB_ALIAS) -> str:
    """Refresh the planner statistics of every table; returns the database's vendor."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return connection.vendor


def sort_in_files_while_migrating(*, using: str = DEFAULT_DB_ALIAS, **_: Any) -> None:
    """pre_migrate: indexes built by the migrations sort in temporary files, not in memory."""
    if connections[using].vendor != "sqlite":
        return
    with connections[using].cursor() as cursor:
        cursor.execute("PRAGMA temp_store")
        saved = int(cursor.fetchone()[0])
        try:  # refused inside a transaction that made temporary tables: then it stays as it is
            cursor.execute("PRAGMA temp_store=FILE")
        except OperationalError:
            return
        _SAVED_TEMP_STORE.setdefault(using, saved)


def analyze_after_migrate(*, plan: Any = None, using: str = DEFAULT_DB_ALIAS, **_: Any) -> None:
    """post_migrate: back to the usual temporary store, and statistics for the indexes and
    tables migrations just made or changed."""
    if using in _SAVED_TEMP_STORE:
        with connections[using].cursor() as cursor:
            cursor.execute(f"PRAGMA temp_store={_SAVED_TEMP_STORE.pop(using)}")
    if plan:
        analyze(using)
