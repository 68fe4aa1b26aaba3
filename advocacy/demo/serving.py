"""Run the web server: gunicorn bound to loopback, serving advocacy.wsgi.

The process is replaced by gunicorn (exec), so signals (Ctrl-C, SIGTERM) reach gunicorn
directly and stop it cleanly. Static files are served by WhiteNoise from the app folders.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.conf import settings

HOST = "127.0.0.1"


def gunicorn_argv(port: int, workers: int) -> list[str]:
    """Return the command line that serves the app on 127.0.0.1:`port`."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "advocacy.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
        # No control socket in the home folder: two instances (or users) must not collide.
        "--no-control-socket",
    ]


def exec_gunicorn(port: int, workers: int) -> None:
    """Replace this process with gunicorn (never returns)."""
    argv = gunicorn_argv(port, workers)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
    # WhiteNoise serves from the app folders (finders); it warns if STATIC_ROOT is missing.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)
