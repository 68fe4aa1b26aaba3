"""For tests that run real processes (workers, imports) against the test's own database."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.db import connections

WAIT = 300.0  # seconds: the longest any step may take before a test gives up


@contextmanager
def shared_database(tmp_path: Path) -> Iterator[str]:
    """This test's database, as a URL other processes can open.

    PostgreSQL: the test database itself. SQLite: the test database lives in this process's
    memory, so it is copied to a file and this process works on the file until the end.
    """
    memory = connections["default"]
    if memory.vendor == "postgresql":
        s = memory.settings_dict
        auth = quote(s["USER"]) + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
        yield f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        return
    path = tmp_path / "shared.sqlite3"
    memory.ensure_connection()
    target = sqlite3.connect(path)
    memory.connection.backup(target)
    target.close()
    shared = memory.__class__({**memory.settings_dict, "NAME": str(path)}, alias="default")
    connections["default"] = shared
    try:
        yield f"sqlite:///{path}"
    finally:
        shared.close()
        connections["default"] = memory


def wait_for(what: str, done: Callable[[], object], timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting {timeout:.0f} s for {what}")
        time.sleep(0.005)
