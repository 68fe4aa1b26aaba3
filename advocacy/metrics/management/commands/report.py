"""advocacy report: the catalogue's numbers for a period and segment; the council report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.table import Table

from advocacy.core.management.clock import add_as_of, as_of
from advocacy.core.management.output import output_console
from advocacy.core.management.progress import progress_bar
from advocacy.engine.services import current_policy
from advocacy.metrics.catalogue import GROUPS
from advocacy.metrics.formatting import format_basis
from advocacy.metrics.periods import PERIOD_FORMS, PeriodError
from advocacy.metrics.report import (
    COUNCIL_PDF_STEPS,
    Report,
    council_html,
    council_pdf,
    council_period,
    format_value,
    report_dict,
)
from advocacy.metrics.services import export_csv, report_for


class Command(BaseCommand):
    help = "Print the program's metrics for a period and segment, or write the council report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", default=None, help=f"Default: 90d. Forms: {PERIOD_FORMS}.")
        parser.add_argument(
            "--segment",
            default="",
            help="Narrow the contacts: industry=...,region=...,size_band=...,persona=...",
        )
        parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
        parser.add_argument(
            "--json", action="store_true", help="Print one JSON object (as --format json)."
        )
        parser.add_argument(
            "--table",
            default="metrics",
            help="With --format csv: which table (metrics, scorecard, lift, tactics, "
            "funnel_moment, funnel_persona, funnel_play, funnel_channel, trend, ask_trend, "
            "ladder, funnel).",
        )
        parser.add_argument(
            "--council", action="store_true", help="Write the monthly advocacy council report."
        )
        parser.add_argument("--month", help="With --council: YYYY-MM (default: last month).")
        parser.add_argument("--output", help="With --council: a .html or .pdf file to write.")
        add_as_of(
            parser,
            help="Relative periods (90d, last quarter, last month) end at this date or "
            "date-time (default: now).",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        now = as_of(opts)
        try:
            if opts["council"]:
                self.council(opts, now)
                return
            if opts["json"] and opts["format"] == "csv":
                raise CommandError("--json and --format csv: choose one")
            report = report_for(opts["period"], opts["segment"], now=now)
            if opts["json"] or opts["format"] == "json":
                self.stdout.write(json.dumps(report_dict(report)))
            elif opts["format"] == "csv":
                self.stdout.write(export_csv(report, opts["table"]), ending="")
            else:
                self.print_tables(report)
        except PeriodError as exc:
            raise CommandError(str(exc)) from None

    def council(self, opts: dict[str, Any], now: Any) -> None:
        output = opts["output"]
        if not output or Path(output).suffix.lower() not in {".html", ".pdf"}:
            raise CommandError("--council needs --output FILE ending in .html or .pdf")
        period = council_period(opts["month"], now=now)
        policy = current_policy()
        path = Path(output)
        if path.suffix.lower() == ".pdf":
            with progress_bar(
                self.stderr, "council report", unit="steps", total=COUNCIL_PDF_STEPS
            ) as update:
                pdf = council_pdf(period, now=now, policy=policy, progress=update)
            path.write_bytes(pdf)
        else:
            path.write_text(council_html(period, now=now, policy=policy), encoding="utf-8")
        if opts["json"]:
            data = {"month": period.label, "output": str(path), "bytes": path.stat().st_size}
            self.stdout.write(json.dumps(data))
        else:
            self.stdout.write(f"council report for {period.label} written to {path}")

    def print_tables(self, report: Report) -> None:
        console = output_console(self.stdout)
        console.print(
            f"[bold]{report.period.label}[/bold] ({report.period.start:%Y-%m-%d} to "
            f"{report.period.end:%Y-%m-%d}, end excluded), segment: {report.segment.label}"
        )
        for group, title in GROUPS.items():
            values = [v for v in report.values if v.metric.group == group]
            table = Table(title=title, title_justify="left")
            for column in ("metric", "value", "from"):
                table.add_column(column, justify="right" if column == "value" else "left")
            for v in values:
                shown = format_value(v.value, v.metric.unit) if v.available else "not available yet"
                table.add_row(
                    v.metric.name, shown, format_basis(v.numerator, v.denominator, v.metric.unit)
                )
            console.print(table)
        score = Table(title="Scorecard", title_justify="left")
        for column in ("metric", "baseline", "target", "now", "window", "status"):
            score.add_column(column)
        for row in report.scorecard:
            unit = row.metric.unit
            score.add_row(
                row.metric.name,
                format_value(row.entry.baseline, unit),
                format_value(row.entry.target, unit),
                format_value(row.value, unit),
                row.entry.window,
                row.status_label,
            )
        console.print(score)
        lift = Table(title="Lift over holdout (95% interval)", title_justify="left")
        for column in ("play", "asked", "rate", "held out", "rate", "lift", "interval"):
            lift.add_column(column)
        for x in report.lifts:
            interval = x.interval
            lift.add_row(
                report.play_label(x.play), f"{x.asked:,}", format_value(x.asked_rate, "percent"),
                f"{x.held_out:,}", format_value(x.held_out_rate, "percent"),
                format_value(x.lift, "points"),
                f"{interval[0]:+.1f} to {interval[1]:+.1f}" if interval else "—",
            )  # fmt: skip
        console.print(lift)
        window = report.send_window
        console.print(
            f"Send window: {window['missed']} of {window['with_window']} ask(s) opened in the "
            "period with a send-by moment missed it"
        )
