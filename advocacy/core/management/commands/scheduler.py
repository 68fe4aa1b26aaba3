"""advocacy scheduler [--loop]: enqueue the periodic jobs that are due (run beside the worker)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from advocacy.core.scheduler import REGISTRY, tick


class Command(BaseCommand):
    help = (
        "Enqueue periodic jobs that are due; with --loop, keep doing so every --interval seconds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Run until stopped.")
        parser.add_argument("--interval", type=int, default=30, help="Seconds between ticks.")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not REGISTRY:
            self.stdout.write("no periodic jobs are registered")
            return
        while True:
            for name in tick(timezone.now()):
                self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M:%S} enqueued {name}")
            if not opts["loop"]:
                return
            time.sleep(max(1, opts["interval"]))
