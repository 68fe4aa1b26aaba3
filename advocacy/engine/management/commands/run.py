"""advocacy run: evaluate the plays now (or as of a moment) and open the asks they decide."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.table import Table

from advocacy.core.clock import parse_moment
from advocacy.core.management.clock import add_as_of, as_of
from advocacy.core.management.output import output_console
from advocacy.core.management.progress import progress_bar
from advocacy.engine.evaluation import catch_up, run_plays
from advocacy.engine.models import Outcome, Play
from advocacy.engine.services import current_policy


class Command(BaseCommand):
    help = "Evaluate every enabled play (or --play NAME) and open the asks they decide."

    def add_arguments(self, parser: CommandParser) -> None:
        add_as_of(parser, help="Evaluate as of this date or date-time (default: now).")
        parser.add_argument("--play", action="append", help="Only this play (repeatable).")
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="Only signals that arrived since the last run.",
        )
        parser.add_argument(
            "--since",
            help="Catch up: run at every day from this date to --as-of (for a new install).",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **opts: Any) -> None:
        now = as_of(opts)
        names = opts["play"]
        if names:
            unknown = sorted(set(names) - set(Play.objects.values_list("name", flat=True)))
            if unknown:
                raise CommandError(f"unknown play(s): {', '.join(unknown)}")
        elif not Play.objects.filter(enabled=True).exists():
            raise CommandError("no plays are loaded: run `advocacy playbook load` first")
        if opts["since"]:
            try:
                since = parse_moment(opts["since"])
            except ValueError as exc:
                raise CommandError(f"--since: {exc}") from None
            if since > now:
                raise CommandError("--since must come before --as-of")
            with progress_bar(self.stderr, "catching up", unit="days") as update:
                runs = catch_up(since, now, names=names, policy=current_policy(), progress=update)
        else:
            with progress_bar(self.stderr, "running plays", unit="plays") as update:
                runs = run_plays(
                    now=now,
                    names=names,
                    policy=current_policy(),
                    incremental=opts["incremental"],
                    progress=update,
                )
        if opts["json"]:
            self.stdout.write(
                json.dumps({"as_of": now.isoformat(), "plays": [r.as_dict() for r in runs]})
            )
            return
        table = Table(title=f"Plays evaluated as of {now:%Y-%m-%d %H:%M} UTC")
        table.add_column("play")
        table.add_column("considered", justify="right")
        for outcome in Outcome:
            table.add_column(outcome.label.split(" (")[0].lower(), justify="right")
        for r in runs:
            table.add_row(r.play, str(r.considered), *(str(r.outcomes[o]) for o in Outcome.values))
        output_console(self.stdout).print(table)
