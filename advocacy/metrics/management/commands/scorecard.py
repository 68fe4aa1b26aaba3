"""advocacy scorecard list|set|remove: the program's baselines and targets."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.table import Table

from advocacy.core.management.clock import add_as_of, as_of
from advocacy.core.management.output import output_console
from advocacy.engine.services import current_policy
from advocacy.metrics.models import Cadence, Window
from advocacy.metrics.report import format_value
from advocacy.metrics.scorecard import ScorecardError, remove_entry, scorecard, set_entry
from advocacy.people.management.acting import acting_user


class Command(BaseCommand):
    help = "List the scorecard against its targets; set or remove a metric's baseline and target."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Each metric now, against baseline and target.")
        listing.add_argument("--json", action="store_true", help="Print one JSON object.")
        setting = sub.add_parser("set", help="Add a metric or change its entry.")
        setting.add_argument("metric", help="A catalogue code (see docs/metrics.md).")
        setting.add_argument("--target", type=float, default=None, help="Omit until set.")
        setting.add_argument("--baseline", type=float, default=None, help="Omit when unknown.")
        setting.add_argument("--window", choices=Window.values, default=Window.QUARTER)
        setting.add_argument("--cadence", choices=Cadence.values, default=Cadence.MONTHLY)
        setting.add_argument("--as", dest="as_user", help="Record the change as this username.")
        removing = sub.add_parser("remove", help="Take a metric off the scorecard.")
        removing.add_argument("metric")
        for p in (setting, removing):
            p.add_argument("--json", action="store_true", help="Print one JSON object.")
        add_as_of(setting)
        add_as_of(
            listing, help="Each metric's window ends at this date or date-time (default: now)."
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        acting_user("scorecard", opts)  # refused before anything is looked up
        now = as_of(opts)
        try:
            if opts["action"] == "set":
                actor = None
                if opts["as_user"]:
                    actor = get_user_model().objects.filter(username=opts["as_user"]).first()
                    if actor is None:
                        raise CommandError(f"--as: no user named {opts['as_user']!r}")
                entry = set_entry(
                    opts["metric"], target=opts["target"], baseline=opts["baseline"],
                    window=opts["window"], cadence=opts["cadence"], actor=actor, now=now,
                )  # fmt: skip
                if opts["json"]:
                    data = {
                        "metric": entry.metric, "target": entry.target,
                        "baseline": entry.baseline, "window": entry.window,
                        "cadence": entry.cadence,
                    }  # fmt: skip
                    self.stdout.write(json.dumps(data))
                else:
                    self.stdout.write(f"scorecard: {entry}")
                return
            if opts["action"] == "remove":
                remove_entry(opts["metric"])
                if opts["json"]:
                    self.stdout.write(json.dumps({"metric": opts["metric"], "removed": True}))
                else:
                    self.stdout.write(f"scorecard: {opts['metric']} removed")
                return
        except ScorecardError as exc:
            raise CommandError(str(exc)) from None
        rows = scorecard(now=now, policy=current_policy())
        if opts["json"]:
            self.stdout.write(json.dumps({"scorecard": [r.as_dict() for r in rows]}))
            return
        table = Table(title="Scorecard (behind first)")
        for column in ("metric", "baseline", "target", "now", "progress", "window", "status"):
            table.add_column(column)
        for r in rows:
            unit = r.metric.unit
            table.add_row(
                r.metric.code, r.baseline_text, r.target_text, format_value(r.value, unit),
                format_value(r.progress, "percent"), r.entry.window, r.status_label,
            )  # fmt: skip
        output_console(self.stdout).print(table)
