"""advocacy jobs list|show|wait: long work run out of the request, how far it is, its result.

`wait` follows a job started elsewhere (the web UI, the API) with a progress bar on stderr
until it is done (exit 0) or failed (exit 1, with the reason). `--output FILE` copies the file a
job produced (the council report's PDF).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from advocacy.core.jobs import KINDS, job_summary
from advocacy.core.management.output import output_console
from advocacy.core.management.progress import progress_bar
from advocacy.core.models import Job, JobState


class Command(BaseCommand):
    help = "Jobs (long work out of the request): list them, show one, wait for one to end."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ls = sub.add_parser("list", help="Jobs, newest first.")
        ls.add_argument("--state", choices=JobState.values)
        ls.add_argument("--kind", help="Only jobs of this kind (import, simulation, …).")
        ls.add_argument("--limit", type=int, default=50)
        show = sub.add_parser("show", help="One job: how far it is, its result.")
        show.add_argument("id", type=int)
        wait = sub.add_parser("wait", help="Follow a job with a progress bar until it ends.")
        wait.add_argument("id", type=int)
        wait.add_argument("--interval", type=float, default=1.0, help="Seconds between looks.")
        wait.add_argument("--timeout", type=float, help="Give up waiting after this many seconds.")
        for p in (show, wait):
            p.add_argument("--output", type=Path, help="Copy the file the job produced here.")
        for p in (ls, show, wait):
            p.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"do_{opts['action']}")(opts)

    def console(self) -> Console:
        return output_console(self.stdout)

    def job(self, pk: int) -> Job:
        job = Job.objects.select_related("created_by").filter(pk=pk).first()
        if job is None:
            raise CommandError(f"no job {pk}")
        return job

    def do_list(self, opts: dict[str, Any]) -> None:
        if opts["kind"] and opts["kind"] not in KINDS:
            raise CommandError(
                f"--kind: unknown kind {opts['kind']!r}: expected one of {', '.join(sorted(KINDS))}"
            )
        jobs = Job.objects.select_related("created_by")
        if opts["state"]:
            jobs = jobs.filter(state=opts["state"])
        if opts["kind"]:
            jobs = jobs.filter(kind=opts["kind"])
        found = list(jobs[: max(1, opts["limit"])])
        if opts["json"]:
            self.stdout.write(json.dumps({"jobs": [job_summary(j) for j in found]}))
            return
        table = Table(title="Jobs, newest first", title_justify="left")
        for column in ("id", "kind", "state", "done", "title", "queued"):
            table.add_column(column, justify="right" if column in {"id", "done"} else "left")
        for j in found:
            done = "" if j.percent is None else f"{j.percent}%"
            table.add_row(
                str(j.pk), j.kind, j.state, done, j.title, f"{j.queued_at:%Y-%m-%d %H:%M}"
            )
        self.console().print(table)

    def do_show(self, opts: dict[str, Any]) -> None:
        self.report(self.job(opts["id"]), opts)

    def do_wait(self, opts: dict[str, Any]) -> None:
        job = self.job(opts["id"])
        started = time.monotonic()
        label = f"job {job.pk} ({job.kind})"
        with progress_bar(self.stderr, label, unit=job.unit, total=job.total) as update:
            while True:
                update(job.done, job.total)
                if job.finished:
                    break
                if opts["timeout"] is not None and time.monotonic() - started >= opts["timeout"]:
                    raise CommandError(
                        f"job {job.pk} is still {job.state} after {opts['timeout']:g} s "
                        "(it goes on; wait again later)"
                    )
                time.sleep(max(0.1, opts["interval"]))
                job.refresh_from_db()
        self.report(job, opts)

    def report(self, job: Job, opts: dict[str, Any]) -> None:
        if opts.get("output"):
            if job.state != JobState.DONE or not job.artefact:
                raise CommandError(f"--output: job {job.pk} has produced no file")
            with job.artefact.open("rb") as source:
                opts["output"].write_bytes(source.read())
        if opts["json"]:
            self.stdout.write(json.dumps(job_summary(job)))
        else:
            self.print_job(job, opts)
        if job.state == JobState.FAILED:
            raise CommandError(f"job {job.pk} failed: {job.message}")

    def print_job(self, job: Job, opts: dict[str, Any]) -> None:
        lines = [f"job {job.pk}: {job.title}", f"state: {job.state}"]
        if job.total:
            lines.append(f"progress: {job.done:,} of {job.total:,} {job.unit} ({job.percent}%)")
        if job.message:
            lines.append(f"message: {job.message}")
        if job.result:
            lines.append(
                "result: " + ", ".join(f"{k}={v}" for k, v in job.result.items() if k != "weeks")
            )
        if job.artefact:
            lines.append(f"file: {opts['output'] or job.artefact.path}")
        self.stdout.write("\n".join(lines))
