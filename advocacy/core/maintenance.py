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

from django.db import DEFAULT_DB_ALIAS, connections


def analyze(using: str = DEFAULT_DB_ALIAS) -> str:
    """Refresh the planner statistics of every table; returns the database's vendor."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return connection.vendor


def analyze_after_migrate(*, plan: Any = None, using: str = DEFAULT_DB_ALIAS, **_: Any) -> None:
    """post_migrate: statistics for the indexes and tables migrations just made or changed."""
    if plan:
        analyze(using)
