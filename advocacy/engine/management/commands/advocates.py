"""advocacy advocates refresh: compute every contact's stored profile, with a progress bar.

The same refresh as the web UI's "Compute profiles" and POST /api/advocates/refresh (which run
it as a job); here it runs in this process, chunk by chunk.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from advocacy.core.management.clock import add_as_of, as_of
from advocacy.core.management.progress import progress_bar
from advocacy.engine.services import current_policy
from advocacy.engine.state import refresh_profiles


class Command(BaseCommand):
    help = "Advocates' stored profiles: `refresh` computes every contact's."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser("refresh", help="Compute every contact's profile.")
        add_as_of(refresh, help="Profiles as of this date or date-time (default: now).")
        refresh.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **opts: Any) -> None:
        now = as_of(opts)
        policy = current_policy()
        with progress_bar(self.stderr, "profiling", unit="contacts") as update:
            count = refresh_profiles(now=now, policy=policy, progress=update)
        if opts["json"]:
            self.stdout.write(json.dumps({"refreshed": count, "as_of": now.isoformat()}))
        elif count:
            self.stdout.write(
                f"profiles computed for {count:,} contact(s) as of {now:%Y-%m-%d %H:%M}"
            )
        else:
            self.stdout.write("there are no contacts to profile yet: import some first")
