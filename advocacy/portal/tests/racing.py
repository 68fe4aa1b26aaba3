"""POST one path from several OS processes at once, against the test database.

Each worker is a forked process with its own connection (the parent closes its own first);
they post together once every one is ready (a barrier). A server error comes back as its
status, never as an exception, so a test counts it.
"""

from __future__ import annotations

import multiprocessing
import traceback
from typing import Any

from django.db import connections
from django.test import Client

SECONDS = 120


def race_posts(path: str, *, workers: int) -> list[int]:
    """The status each worker got for its POST of `path`."""
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=_post, args=(path, barrier, out)) for _ in range(workers)]
    for proc in procs:
        proc.start()
    try:
        found = [out.get(timeout=SECONDS * 2) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=60)
    crashed = [f for f in found if isinstance(f, str)]
    assert not crashed, "a worker crashed:\n" + "\n".join(crashed)
    return sorted(found)


def _post(path: str, barrier: Any, out: Any) -> None:
    try:
        client = Client(raise_request_exception=False)
        barrier.wait(timeout=SECONDS)
        out.put(client.post(path).status_code)
    except BaseException:
        barrier.abort()
        out.put(traceback.format_exc())
    finally:
        connections.close_all()
