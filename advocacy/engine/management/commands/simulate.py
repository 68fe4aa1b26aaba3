"""advocacy simulate --from DATE --to DATE: replay the plays over history, week by week."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.table import Table

from advocacy.core.management.output import output_console
from advocacy.core.management.progress import progress_bar
from advocacy.engine.clock import parse_moment
from advocacy.engine.models import Outcome, Play
from advocacy.engine.services import current_policy
from advocacy.engine.simulation import simulate


class Command(BaseCommand):
    help = "Replay plays over a past period without touching real asks; report week by week."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="First day (2026-01-01).")
        parser.add_argument("--to", dest="end", required=True, help="Last day (2026-03-31).")
        parser.add_argument("--play", action="append", help="Only this play (repeatable).")
        parser.add_argument("--step-hours", type=int, default=24, help="Clock step (default 24).")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            start = parse_moment(opts["start"])
            end = parse_moment(opts["end"], end_of_day=True)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if not 1 <= opts["step_hours"] <= 48:
            raise CommandError("--step-hours: expected 1 to 48 (the shortest trigger window)")
        if not Play.objects.filter(enabled=True).exists():
            raise CommandError("no plays are loaded: run `advocacy playbook load` first")
        step = timedelta(hours=opts["step_hours"])
        steps = max(0, (end - start) // step + 1)
        unit = "days" if opts["step_hours"] == 24 else "steps"
        try:
            with progress_bar(self.stderr, "simulating", unit=unit, total=steps) as update:
                result = simulate(
                    start,
                    end,
                    names=opts["play"],
                    step=step,
                    policy=current_policy(),
                    progress=update,
                )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        table = Table(title=f"Simulation {start:%Y-%m-%d} to {end:%Y-%m-%d} (nothing was written)")
        table.add_column("week of")
        shown = [
            Outcome.ASKED,
            Outcome.HELD_OUT,
            Outcome.BLOCKED_CAP,
            Outcome.BLOCKED_EXCLUSION,
            Outcome.NOT_ELIGIBLE,
            Outcome.NOT_IN_AUDIENCE,
        ]
        for o in shown:
            table.add_column(o.label.split(" (")[0].lower(), justify="right")
        for week in result.weeks:
            table.add_row(week.starts.date().isoformat(), *(str(week.outcomes[o]) for o in shown))
        totals = result.totals()
        table.add_row("total", *(str(totals[o]) for o in shown), style="bold")
        output_console(self.stdout).print(table)
