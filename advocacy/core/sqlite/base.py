"""The SQLite backend with the variable limit read from the library (see the package doc)."""

from __future__ import annotations

import sqlite3

from django.db.backends.sqlite3 import base, features


def _variable_limit() -> int:
    # SQLITE_LIMIT_VARIABLE_NUMBER can be read from a connection since Python 3.11.
    probe = sqlite3.connect(":memory:")
    try:
        return int(probe.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    finally:
        probe.close()


class DatabaseFeatures(features.DatabaseFeatures):
    max_query_params = _variable_limit()


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
