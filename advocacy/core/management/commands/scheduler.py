"""advocacy scheduler [--loop]: enqueue the periodic jobs that are due (run beside the worker)."""

from __future__ import annotations

import json
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
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print one JSON object per tick (a line each with --loop).",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if not REGISTRY:
            self.stdout.write(
                json.dumps({"enqueued": []}) if opts["json"] else "no periodic jobs are registered"
            )
            return
        while True:
            now = timezone.now()
            names = list(tick(now))
            if opts["json"]:
                self.stdout.write(json.dumps({"at": now.isoformat(), "enqueued": names}))
            for name in [] if opts["json"] else names:
                self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M:%S} enqueued {name}")
            if not opts["loop"]:
                return
            time.sleep(max(1, opts["interval"]))
