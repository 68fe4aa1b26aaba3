"""Fixtures shared by every test: personas, the browser, and database-specific markers."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread

CHROMIUM = "/usr/bin/chromium"
ON_CI = os.environ.get("CI") == "true"


def skip_or_fail(reason: str) -> None:
    """Skip on a developer's machine; on CI a missing real part is a failure, never a skip."""
    if ON_CI:
        pytest.fail(f"{reason} (CI=true: skipping is not allowed)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    """Tests create many users; the production hasher's deliberate slowness buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _same_play_ids_in_every_test(request: pytest.FixtureRequest) -> None:
    """On PostgreSQL, start the plays' ids where SQLite does after a test's rollback.

    A sequence is not rolled back with the test, so each test's plays would get new ids. The
    SQL the engine learns for a play names the play's id, so this process's templates (learnt
    once, advocacy.engine.prepared) would never serve the next test's identical playbook, and
    every test that loads it would learn it again: seconds each."""
    if "_django_db_helper" not in request.fixturenames or connection.vendor != "postgresql":
        return
    request.getfixturevalue("_django_db_helper")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('engine_play', 'id'), "
            "COALESCE(MAX(id), 0) + 1, false) FROM engine_play"
        )


@pytest.fixture(autouse=True)
def django_db_serialized_rollback() -> None:
    """Every transactional test restores the rows the migrations wrote (pytest-django reads this
    fixture's name). Were one test without it, its flush would re-create the content types and
    the next test that restores them would collide with them; with it, Django skips that."""


@pytest.fixture
def owner(django_user_model: Any) -> Any:
    """An admin of the program."""
    return django_user_model.objects.create_user(
        "owner", "owner@example.com", "correct horse battery", role="admin", is_staff=True
    )


@pytest.fixture
def member(django_user_model: Any) -> Any:
    """A customer success manager."""
    return django_user_model.objects.create_user(
        "member", "member@example.com", "correct horse battery", role="cs"
    )


@pytest.fixture
def seller(django_user_model: Any) -> Any:
    """A salesperson, who files reference requests but does not manage the program."""
    return django_user_model.objects.create_user(
        "seller", "seller@example.com", "correct horse battery", role="sales"
    )


@pytest.fixture
def marketer(django_user_model: Any) -> Any:
    """A customer marketer, who packages and publishes what advocates give."""
    return django_user_model.objects.create_user(
        "marketer", "marketer@example.com", "correct horse battery", role="marketing"
    )


@pytest.fixture
def viewer(django_user_model: Any) -> Any:
    """A read-only user: sees everything, changes nothing."""
    return django_user_model.objects.create_user(
        "viewer", "viewer@example.com", "correct horse battery", role="viewer"
    )


@pytest.fixture
def postgres_only(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: runs in the PostgreSQL pass")


@pytest.fixture
def sqlite_only(db: None) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("needs SQLite: runs in the SQLite pass")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Drive Debian's Chromium, never a browser downloaded by Playwright."""
    if not shutil.which(CHROMIUM):
        skip_or_fail(f"{CHROMIUM} is not installed")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


class _SerialWSGIServer(WSGIServer):
    """The browser tests' live server, one request at a time. The tests' SQLite database lives
    in memory and its one connection is shared with the server's threads (Django's way with an
    in-memory database); two requests at once on it (a page and a part it loads) can deadlock
    inside sqlite3, which hung a browser pass. Django closes each connection after its response
    on a server without threads, so the browser's keep-alive never holds the next request."""

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        # The server thread applies `connections_override` itself (LiveServerThread.run).
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = _SerialWSGIServer


@pytest.fixture(autouse=True)
def _browser_quiet_before_the_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """A browser test's page may still have a request in flight when the test ends (an htmx
    part loading, a poll): the live server would then hold the database while the test's
    flush empties it, and the flush fails ("table is locked"). At the end of the test the page
    goes blank and the server's requests are waited for, before the flush (this fixture is set
    up after the page and the database, so it is torn down before them)."""
    names = request.fixturenames
    if "page" not in names or "live_server" not in names:
        yield
        return
    from django.core.signals import request_finished, request_started

    page = request.getfixturevalue("page")
    request.getfixturevalue("live_server")
    lock = threading.Lock()
    in_flight = [0]

    def started(**kwargs: Any) -> None:
        with lock:
            in_flight[0] += 1

    def finished(**kwargs: Any) -> None:
        with lock:
            in_flight[0] -= 1

    request_started.connect(started, weak=False)
    request_finished.connect(finished, weak=False)
    try:
        yield
        page.goto("about:blank")
        deadline = time.monotonic() + 15
        while in_flight[0] > 0 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect PostgreSQL-only tests when the suite runs on SQLite, and SQLite-only ones on
    PostgreSQL (not skip: on CI a skip means a real part went untested, so none may remain)."""
    from django.conf import settings

    on_postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    other = "sqlite_only" if on_postgres else "postgres_only"
    keep, drop = [], []
    for item in items:
        (drop if other in getattr(item, "fixturenames", ()) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
