"""`advocacy serve [--port N] [--workers N]`: migrate, then serve the web UI with gunicorn."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from advocacy.demo.serving import HOST, exec_gunicorn


class Command(BaseCommand):
    help = "Migrate the database, then serve the web UI on 127.0.0.1 with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=int, default=settings.PORT, help="default: ADVOCACY_PORT or 8000"
        )
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
        parser.add_argument("--no-migrate", action="store_true", help="skip `migrate`")

    def handle(self, *args: Any, **options: Any) -> None:
        port, workers = options["port"], options["workers"]
        if not 1 <= port <= 65535:
            self.stderr.write(f"--port: expected 1-65535, found {port}")
            raise SystemExit(2)
        if workers < 1:
            self.stderr.write(f"--workers: expected at least 1, found {workers}")
            raise SystemExit(2)
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Serving on http://{HOST}:{port}/ (Ctrl-C to stop)")
        exec_gunicorn(port, workers)
