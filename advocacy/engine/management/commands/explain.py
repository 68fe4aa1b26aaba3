"""advocacy explain EMAIL: the asks this contact is ready for now, ranked, and why."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.table import Table

from advocacy.core.management.output import output_console
from advocacy.customers.models import Contact
from advocacy.engine.clock import parse_moment
from advocacy.engine.services import explain_email


class Command(BaseCommand):
    help = "Show the ranked asks a contact is ready for, with the reasons for each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--as-of", help="As of this date or date-time (default: now).")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            now = parse_moment(opts["as_of"]) if opts["as_of"] else timezone.now()
        except ValueError as exc:
            raise CommandError(f"--as-of: {exc}") from None
        try:
            result = explain_email(opts["email"], now=now)
        except Contact.DoesNotExist:
            raise CommandError(f"no contact with the email {opts['email']!r}") from None
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict(), default=str))
            return
        console = output_console(self.stdout)
        p = result.profile
        console.print(
            f"[bold]{result.email}[/bold] as of {now:%Y-%m-%d}: stage [bold]{p['stage']}[/bold], "
            f"rung [bold]{p['rung']}[/bold], NPS {p['nps'] if p['nps'] is not None else '—'}, "
            f"health {p['health'] if p['health'] is not None else '—'}, "
            f"open tickets {p['open_tickets']}"
        )
        table = Table(show_lines=True)
        table.add_column("ask")
        table.add_column("effort")
        table.add_column("ready")
        table.add_column("why", overflow="fold")
        for option in result.options:
            why = "\n".join(("✓ " if r.ok else "✗ ") + r.text for r in option.reasons)
            table.add_row(option.name, option.effort, "yes" if option.ready else "no", why)
        console.print(table)
