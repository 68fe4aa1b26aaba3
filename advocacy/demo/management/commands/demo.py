"""`advocacy demo`: migrate, generate a demo program, create the demo login, maybe serve it.

    advocacy demo [--accounts N] [--contacts N] [--signals N] [--seed N] [--fresh]
                  [--serve] [--port N] [--csv DIR] [--json]

The data are generated as of today (UTC midnight), so two runs on the same day with the same
seed and sizes produce the same rows. docs/demo.md describes what is generated.
"""

from __future__ import annotations

import json
import time
from argparse import ArgumentTypeError
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from advocacy.customers.models import Contact
from advocacy.demo.content import seed_content
from advocacy.demo.csv_export import write_csv
from advocacy.demo.generator import DemoProgram, DemoSize
from advocacy.demo.pipeline import progress_asks
from advocacy.demo.reference_desk import seed_reference_desk
from advocacy.demo.referrals import seed_referrals
from advocacy.demo.services import (
    DEMO_PASSWORD,
    DEMO_USERNAME,
    clear_demo_data,
    ensure_demo_user,
    has_demo_data,
    load_program,
)
from advocacy.demo.serving import HOST, exec_gunicorn
from advocacy.engine.services import warm_start
from advocacy.messaging import mailfolder
from advocacy.messaging.delivery import deliver_due
from advocacy.messaging.links import link_path
from advocacy.pipeline.models import Ask, AskStatus


def _count(text: str) -> int:
    """Parse a size such as 1000, 10_000, 100k or 1M."""
    cleaned = text.strip().lower().replace("_", "").replace(",", "")
    factor = 1
    if cleaned.endswith("k"):
        factor, cleaned = 1_000, cleaned[:-1]
    elif cleaned.endswith("m"):
        factor, cleaned = 1_000_000, cleaned[:-1]
    try:
        value = int(float(cleaned) * factor)
    except ValueError:
        raise ArgumentTypeError(
            f"expected a count such as 1000, 100k or 1M, found {text!r}"
        ) from None
    if value < 0:
        raise ArgumentTypeError(f"expected 0 or more, found {text!r}")
    return value


class Command(BaseCommand):
    help = "Generate a realistic demo program (accounts, contacts, two years of signals)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=_count, default=1000, help="default 1000")
        parser.add_argument("--contacts", type=_count, default=10_000, help="default 10000")
        parser.add_argument(
            "--signals",
            type=_count,
            default=None,
            help="exact number of signals (default: what two years of activity give, ~200k)",
        )
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
        parser.add_argument(
            "--fresh", action="store_true", help="delete earlier demo data and generate again"
        )
        parser.add_argument("--serve", action="store_true", help="then serve the web UI")
        parser.add_argument(
            "--port", type=int, default=settings.PORT, help="with --serve (default ADVOCACY_PORT)"
        )
        parser.add_argument(
            "--csv",
            type=Path,
            metavar="DIR",
            help="write accounts.csv, contacts.csv and signals.csv into DIR instead",
        )
        parser.add_argument(
            "--engine-days",
            type=int,
            default=90,
            help="run the plays day by day over this many past days (default 90; 0: skip)",
        )
        parser.add_argument("--json", action="store_true", help="print a JSON summary only")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            size = DemoSize(
                accounts=options["accounts"],
                contacts=options["contacts"],
                signals=options["signals"],
                seed=options["seed"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        as_json = options["json"]
        console = Console(stderr=as_json, quiet=as_json)
        # A sentence is one line in a log or a pipe (rich would break it at 80 columns); in a
        # terminal rich wraps it between words at the terminal's width.
        console.soft_wrap = not console.is_terminal
        now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        started = time.monotonic()
        summary: dict[str, Any] = {"seed": size.seed}

        if options["csv"] is not None:
            program = DemoProgram(size, now=now)
            with self._progress(console, program) as progress:
                counts = write_csv(program, options["csv"], progress=progress)
            summary.update(counts, directory=str(options["csv"]))
            summary["seconds"] = round(time.monotonic() - started, 1)
            self._finish(console, summary, as_json, csv=True)
            return

        call_command("migrate", interactive=False, verbosity=0)
        if has_demo_data() and not options["fresh"]:
            summary["skipped"] = "the database already holds demo data (use --fresh to redo it)"
            console.print(f"[yellow]{summary['skipped']}[/yellow]")
        else:
            if options["fresh"]:
                with console.status("Deleting earlier demo data"):
                    clear_demo_data()
            program = DemoProgram(size, now=now)
            with self._progress(console, program) as progress:
                result = load_program(program, now=now, progress=progress)
            summary.update(
                accounts=result.accounts, contacts=result.contacts, signals=result.signals
            )
            days = max(0, options["engine_days"])
            with console.status(f"Running the plays over the last {days} days"):
                engine = warm_start(now=timezone.now(), days=days)
                moved = progress_asks(now=timezone.now())
            summary["engine"] = {**engine, "moved": moved}
            summary["content"] = seed_content(now=timezone.now())
            summary["references"] = seed_reference_desk(user=ensure_demo_user(), now=timezone.now())
            summary["referrals"] = seed_referrals(user=ensure_demo_user(), now=timezone.now())
            console.print(
                f"Loaded {engine['plays']} plays; over the last {days} days they decided for "
                f"{engine['decisions']:,} moments and opened {engine['asks']:,} asks."
            )
        ensure_demo_user()
        summary["outbox"] = self._deliver(console)
        url = f"http://{HOST}:{options['port']}/"
        summary.update(
            seconds=round(time.monotonic() - started, 1),
            username=DEMO_USERNAME,
            password=DEMO_PASSWORD,
            url=url,
            portal_link=demo_portal_link(url),
        )
        if mailfolder.enabled():
            summary["mail_folder"] = f"{url}outbox/mail/"
        self._finish(console, summary, as_json, csv=False)
        if options["serve"]:
            console.print(f"Serving on [bold]{url}[/bold] (Ctrl-C to stop)")
            exec_gunicorn(options["port"], workers=2)

    def _deliver(self, console: Console) -> dict[str, int]:
        """Send the outbox's emails when they stay on this machine (a folder, the console):
        the demo never writes to a real mail server; `advocacy worker` does that."""
        if settings.EMAIL_BACKEND not in LOCAL_BACKENDS:
            console.print(
                "The outbox holds the demo's emails; `advocacy worker --batch` sends them "
                "(set ADVOCACY_EMAIL_URL=file:///some/folder to keep them as files)."
            )
            return {}
        with console.status("Delivering the outbox"):
            report = deliver_due(worker_id="demo")
        where = getattr(settings, "EMAIL_FILE_PATH", "")
        console.print(
            f"Outbox: {report}."
            + (
                f" The emails are files in {where}."
                if "filebased" in settings.EMAIL_BACKEND
                else ""
            )
        )
        return report.as_dict()

    def _progress(self, console: Console, program: DemoProgram) -> _Bars:
        return _Bars(console, program)

    def _finish(self, console: Console, summary: dict[str, Any], as_json: bool, csv: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(summary))
            return
        if "accounts" in summary:
            console.print(
                f"Generated {summary['accounts']:,} accounts, {summary['contacts']:,} contacts "
                f"and {summary['signals']:,} signals in {summary['seconds']} s."
            )
        if csv:
            console.print(f"CSV files written to {summary['directory']}")
            return
        console.print(
            f"Log in at [bold]{summary['url']}[/bold] as [bold]{summary['username']}[/bold] "
            f"with password [bold]{summary['password']}[/bold]"
        )
        if summary.get("portal_link"):
            console.print(
                "See the portal as an advocate does, in a private window (the link opens once):"
            )
            console.print(f"  [bold]{summary['portal_link']}[/bold]", overflow="ignore", crop=False)
        if summary.get("mail_folder"):
            console.print(
                f"Read the emails the program sent at [bold]{summary['mail_folder']}[/bold]"
            )
        console.print(
            "[yellow]Warning: this password is public; the demo user is for a local demo "
            "only. Never run the demo on a server others can reach.[/yellow]"
        )


LOCAL_BACKENDS = (
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
)


def demo_portal_link(url: str) -> str:
    """A portal link of an advocate with an ask waiting for an answer, else of any reachable
    contact (empty: there is none)."""
    reachable = Contact.objects.filter(left_company_at__isnull=True, opted_out_at__isnull=True)
    waiting = Ask.objects.filter(
        status=AskStatus.SENT, paused_at__isnull=True, contact__in=reachable
    )
    contact_id = (
        waiting.order_by("pk").values_list("contact_id", flat=True).first()
        or reachable.order_by("pk").values_list("pk", flat=True).first()
    )
    return "" if contact_id is None else url.rstrip("/") + link_path(contact_id)


class _Bars:
    """A rich progress bar per stage (accounts, contacts, signals), fed by the writers."""

    def __init__(self, console: Console, program: DemoProgram) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<9}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self.totals = {
            "accounts": program.size.accounts,
            "contacts": program.size.contacts,
            "signals": program.estimated_signals(),
        }
        self.done: dict[str, int] = {}
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> _Bars:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for stage, task in self.tasks.items():  # the signal total was an estimate
            self.progress.update(task, total=self.done[stage], completed=self.done[stage])
        self.progress.stop()

    def __call__(self, stage: str, count: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=self.totals.get(stage))
            self.done[stage] = 0
        self.done[stage] += count
        total = max(self.totals.get(stage, 0), self.done[stage])
        self.progress.update(self.tasks[stage], completed=self.done[stage], total=total)
