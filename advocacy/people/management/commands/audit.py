"""`advocacy audit [--actor U] [--action A] [--via V] [--since DAY] [--csv]`: the audit log."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from advocacy.people import audit
from advocacy.people.management.acting import acting_user
from advocacy.people.models import Via


class Command(BaseCommand):
    help = "Print the audit log, newest first, or export it as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        for name, text in (("list", "The newest entries."), ("export", "Every entry, as CSV.")):
            p = sub.add_parser(name, help=text)
            p.add_argument("--actor", default="", help="Only this username's changes.")
            p.add_argument("--action", dest="what", default="", help="e.g. content.move, users")
            p.add_argument("--via", choices=Via.values, default="")
            p.add_argument("--since", help="From this day (YYYY-MM-DD).")
            p.add_argument("--as", dest="as_user", help="Read it as this username.")
            if name == "list":
                p.add_argument("--limit", type=int, default=50)
                p.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **opts: Any) -> None:
        acting_user("audit", opts)
        since = None
        if opts["since"]:
            try:
                day = date.fromisoformat(opts["since"])
            except ValueError:
                raise CommandError(
                    f"--since: expected YYYY-MM-DD, found {opts['since']!r}"
                ) from None
            since = timezone.make_aware(datetime.combine(day, time.min))
        found = audit.entries(
            actor=opts["actor"], action=opts["what"], via=opts["via"], since=since
        )
        if opts["action"] == "export":
            for chunk in audit.csv_lines(found):
                self.stdout.write(chunk, ending="")
            return
        if opts["json"]:
            header, *rows = audit.as_rows(found[: opts["limit"]])
            entries = [dict(zip(header, row, strict=True)) for row in rows]
            self.stdout.write(json.dumps({"entries": entries}))
            return
        for entry in found[: opts["limit"]]:
            self.stdout.write(
                f"{entry.at:%Y-%m-%d %H:%M:%S}  {entry.actor_name or 'the shell':<14} "
                f"{entry.via:<6} {entry.action:<22} {entry.summary}  [{entry.target}]"
            )
