"""Background work survives crashes: real workers and imports SIGKILLed at random moments.

The test shares its database with real processes (`advocacy import`, `advocacy worker`) and kills
them with SIGKILL at moments drawn from a seeded generator while they work: imports of signal
files mid-import, workers mid-task evaluating the plays on what was just imported.
Then a fresh worker finishes what was left, and nothing may be stuck, lost or doubled: no task
RUNNING or unfinished, no lease left, every killed attempt run again exactly once, every
import's rows counted once, every trigger decided once and every ask opened once.

It runs in the SQLite pass (on a copy of the test database in a file) and in the PostgreSQL
pass (on the test database itself). Kills happen at random points, but only those that hit a
process mid-work are counted; there are KILLS of each kind.
"""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from advocacy.core import scheduler
from advocacy.core.models import TaskLease
from advocacy.core.tests.processes import WAIT, shared_database, wait_for
from advocacy.customers.models import Account, Contact
from advocacy.engine.evaluation import in_holdout
from advocacy.engine.models import Decision, Outcome, Play
from advocacy.engine.plays import load_playbook
from advocacy.engine.tasks import evaluate_plays
from advocacy.people.models import User
from advocacy.pipeline.models import Ask
from advocacy.signals.models import ImportRun, ImportStatus, Signal

pytestmark = pytest.mark.crash

SEED = 20261201
KILLS = 12  # of imports and of workers each: 24 kills in all
BATCHES = 6  # signal files, each imported then evaluated
LEASE_SECONDS = 3
ACCOUNTS, PER_ACCOUNT = 40, 10
ANSWERS = 60  # contacts answering NPS in each file: 50 promoters (the trigger), 10 not
FILLER = 4000  # activity rows per file, so that an import lasts long enough to be hit
BAD = 4  # rejected rows per file: an unknown email, an NPS of 11
PLAY = "nps-promoter-review"


class World:
    """The processes of the test, started on the shared database."""

    def __init__(self, url: str, tmp_path: Path) -> None:
        self.tmp = tmp_path
        data = tmp_path / "data"
        data.mkdir()
        self.env = {
            **os.environ,
            "ADVOCACY_DATABASE_URL": url,
            "ADVOCACY_DATA_DIR": str(data),
            "ADVOCACY_SECRET_KEY": "crash-test",
            "ADVOCACY_TASK_LEASE_SECONDS": str(LEASE_SECONDS),
            # Killed on purpose more often than any real crash loop: never out of attempts.
            "ADVOCACY_TASK_MAX_ATTEMPTS": str(2 * KILLS + 1),
            "ADVOCACY_LOG_LEVEL": "ERROR",
            # The asks' emails (the workers deliver the outbox too) stay in a folder.
            "ADVOCACY_EMAIL_URL": f"file://{data / 'mail'}",
        }
        self.started = 0
        self.logs: dict[int, Path] = {}
        self.procs: list[subprocess.Popen[bytes]] = []

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "advocacy.cli", *args, "--skip-checks"]

    def spawn(self, *args: str) -> subprocess.Popen[bytes]:
        """Start a command, its output (stdout, then stderr) into a file of its own."""
        self.started += 1
        out = self.tmp / f"{self.started:03d}-{args[0]}.out"
        with out.open("wb") as stdout, out.with_suffix(".err").open("wb") as stderr:
            proc = subprocess.Popen(self.command(*args), env=self.env, stdout=stdout, stderr=stderr)
        self.logs[proc.pid] = out
        self.procs.append(proc)
        return proc

    def close(self) -> None:
        """Kill whatever is still running (the test failed half-way)."""
        for proc in self.procs:
            kill(proc)

    def log(self, proc: subprocess.Popen[bytes]) -> str:
        out = self.logs[proc.pid]
        return out.read_text() + out.with_suffix(".err").read_text()

    def run(self, *args: str) -> str:
        """Run a command to its end; its output."""
        proc = self.spawn(*args)
        proc.wait(timeout=WAIT)
        assert proc.returncode == 0, self.log(proc)
        return self.logs[proc.pid].read_text()


def kill(proc: subprocess.Popen[bytes]) -> bool:
    """SIGKILL the process, then wait for its database sessions to end; whether it was still
    running. PostgreSQL carries on with a statement whose client died (a COMMIT included) until
    its end, so what the process did is only known once its sessions are gone."""
    alive = proc.poll() is None
    if alive:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=WAIT)
    if connection.vendor == "postgresql":
        wait_for("the killed process's database sessions to end", lambda: not other_sessions())
    return alive


def other_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


def setup_program(now: datetime) -> list[Contact]:
    """Accounts and contacts the program's gate lets through once they answer NPS 9 or 10:
    owned by a CSM, customers for two years, in good health, active this week."""
    csm = User.objects.create_user("csm", "csm@example.com", role="cs")
    accounts = Account.objects.bulk_create(
        [
            Account(
                name=f"Crash {a}",
                domain=f"crash{a}.example",
                customer_since=date(now.year - 2, 1, 1),
                owner=csm,
            )
            for a in range(ACCOUNTS)
        ]
    )
    contacts = Contact.objects.bulk_create(
        [
            Contact(account=account, email=f"c{i}@{account.domain}")
            for account in accounts
            for i in range(PER_ACCOUNT)
        ]
    )
    Signal.objects.bulk_create(
        [
            Signal(
                source="setup",
                key=f"health-{a.pk}",
                kind="health_score",
                account=a,
                occurred_at=now - timedelta(days=5),
                value=85,
            )
            for a in accounts
        ]
        + [
            Signal(
                source="setup",
                key=f"active-{c.pk}",
                kind="activity",
                account_id=c.account_id,
                contact=c,
                occurred_at=now - timedelta(days=2),
            )
            for c in contacts
        ]
    )
    load_playbook(now=now)
    return contacts


def write_batch(
    path: Path, number: int, contacts: list[Contact], now: datetime, rng: random.Random
) -> dict[str, Any]:
    """A signals file: NPS answers of this batch's contacts (each contact answers once in the
    whole test), activity filler for anyone, and a few bad rows. Returns what it holds."""
    answering = contacts[number * ANSWERS : (number + 1) * ANSWERS]
    rows: list[list[str]] = []
    promoters: list[int] = []
    for n, contact in enumerate(answering):
        score = rng.choice((9, 10)) if n % 6 else rng.randint(5, 8)
        if score >= 9:
            promoters.append(contact.pk)
        at = now - timedelta(minutes=rng.randint(5, 600))
        rows.append(["crash", f"nps-{contact.pk}", "nps", f"{at:%Y-%m-%dT%H:%M:%SZ}",
                     contact.email, "", str(score), ""])  # fmt: skip
    for n in range(FILLER):
        contact = rng.choice(contacts)
        at = now - timedelta(minutes=rng.randint(60, 20 * 24 * 60))
        rows.append(["crash", f"act-{number}-{n}", "activity", f"{at:%Y-%m-%dT%H:%M:%SZ}",
                     contact.email, "", "", "Used the API"])  # fmt: skip
    for n in range(BAD // 2):
        rows.append(["crash", f"bad-{number}-{n}", "nps", f"{now:%Y-%m-%dT%H:%M:%SZ}",
                     f"nobody{n}@nowhere.example", "", "10", ""])  # fmt: skip
        rows.append(["crash", f"over-{number}-{n}", "nps", f"{now:%Y-%m-%dT%H:%M:%SZ}",
                     answering[0].email, "", "11", ""])  # fmt: skip
    rng.shuffle(rows)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["source", "key", "kind", "occurred_at", "email", "account_domain",
                         "value", "text"])  # fmt: skip
        writer.writerows(rows)
    return {"rows": len(rows), "valid": len(rows) - BAD, "promoters": promoters}


class Crashes:
    """Kills at random moments (of a seeded generator), counting those that hit work."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world, self.rng = world, rng
        self.imports = self.workers = 0  # kills that hit an import, a worker holding a task
        self.import_attempts = 0
        self.import_span = 1.0  # seconds a file's import takes, measured at each full run
        # Seconds kills of workers are drawn in, after the worker took a task: an evaluation
        # killed is never seen to end, so the span grows after a hit and shrinks after a miss.
        self.task_span = 0.5
        self.hit: Counter[str] = Counter()  # the tasks the worker kills interrupted

    def started_import(self, path: Path) -> subprocess.Popen[bytes]:
        runs = ImportRun.objects.count()
        self.import_attempts += 1
        proc = self.world.spawn("import", "signals", str(path), "--json")
        wait_for("the import to start", lambda: ImportRun.objects.count() > runs)
        return proc

    def kill_import(self, path: Path) -> None:
        proc = self.started_import(path)
        time.sleep(self.rng.random() * self.import_span * 1.2)
        alive = kill(proc)
        self.imports += alive and ImportRun.objects.latest("id").finished_at is None

    def finish_import(self, path: Path) -> dict[str, Any]:
        proc = self.started_import(path)
        began = time.monotonic()
        run = ImportRun.objects.filter(pk=ImportRun.objects.latest("id").pk, finished_at=None)
        wait_for("the import to finish", lambda: not run.exists())
        self.import_span = time.monotonic() - began
        proc.wait(timeout=WAIT)
        assert proc.returncode == 0, self.world.log(proc)
        return dict(json.loads(self.world.logs[proc.pid].read_text()))

    def kill_worker(self, name: str) -> None:
        spawned = timezone.now()
        # The outbox is left to the last worker: its crashes are test_crash_delivery's, and
        # this test times its kills by the tasks.
        proc = self.world.spawn("worker", "--no-startup-delay", "--interval", "0.05",
                                "--no-reload", "--no-outbox", "--worker-id", name)  # fmt: skip
        leases = TaskLease.objects.filter(worker_id=name)
        wait_for(
            "the worker to take a task",
            lambda: (
                leases.exists() or DBTaskResult.objects.filter(finished_at__gte=spawned).exists()
            ),
        )
        time.sleep(self.rng.random() * self.task_span)
        kill(proc)
        held = list(leases.filter(task__status="RUNNING").values_list("task__task_path", flat=True))
        self.hit.update(path.rsplit(".", 1)[-1] for path in held)
        self.workers = sum(self.hit.values())
        self.task_span *= 1.25 if held else 0.7


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killed_workers_and_imports_leave_nothing_stuck_lost_or_doubled(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    now = timezone.now()
    with shared_database(tmp_path) as url, closing(World(url, tmp_path)) as world:
        crashes = Crashes(world, rng)
        contacts = setup_program(now)
        files = [
            write_batch(tmp_path / f"signals-{b}.csv", b, contacts, now, rng)
            for b in range(BATCHES)
        ]
        enqueued = imported = 0
        for b, batch in enumerate(files):
            path = tmp_path / f"signals-{b}.csv"
            target = round(KILLS * (b + 1) / BATCHES)  # kills of each kind by the batch's end

            # The import, killed at random moments while it imports, then run to its end.
            for _ in range(target - crashes.imports + 3):
                if crashes.imports >= target:
                    break
                crashes.kill_import(path)
            before = Signal.objects.filter(source="crash").count()
            report = crashes.finish_import(path)
            imported += batch["valid"]
            assert (report["status"], report["rows"], report["rejected"], report["updated"]) == (
                ImportStatus.COMMITTED, batch["rows"], BAD, 0
            )  # fmt: skip
            assert report["created"] == imported - before  # what the killed ones had not written
            assert report["created"] + report["unchanged"] == batch["valid"]
            assert Signal.objects.filter(source="crash").count() == imported

            # The evaluation of what came in, its workers killed at random moments mid-task.
            evaluate_plays.enqueue()
            evaluate_plays.enqueue()
            enqueued += 2
            # Spare tries: a kill may land between tasks (the worker delivering the outbox, or
            # done), which counts as a miss and is tried again.
            for attempt in range(target - crashes.workers + 8):
                if crashes.workers >= target:
                    break
                if not DBTaskResult.objects.filter(status__in=("READY", "RUNNING")).exists():
                    evaluate_plays.enqueue()  # the last worker finished them all before its kill
                    enqueued += 1
                crashes.kill_worker(f"crash-{b}-{attempt}")

        # A fresh worker, once the dead ones' leases ran out, finishes everything, with every
        # periodic job (each claimed with its task in one transaction).
        enqueued += len(scheduler.tick(timezone.now()))
        expiry = TaskLease.objects.aggregate(m=Max("expires_at"))["m"]
        if expiry is not None:
            time.sleep(max(0.0, (expiry - timezone.now()).total_seconds()) + 0.1)
        world.run("worker", "--batch", "--no-startup-delay", "--no-reload", "--worker-id", "last")

        # Nothing stuck, nothing lost, every killed attempt run again exactly once.
        assert crashes.imports == KILLS
        assert crashes.hit == {"evaluate_plays": KILLS}
        tasks = DBTaskResult.objects.all()
        assert dict(Counter(tasks.values_list("status", flat=True))) == {"SUCCESSFUL": enqueued}
        assert TaskLease.objects.count() == 0
        attempts = sum(len(ids) for ids in tasks.values_list("worker_ids", flat=True))
        assert attempts == enqueued + KILLS

        # Every import counted its rows once; the killed ones stopped mid-way, unfinished.
        runs = ImportRun.objects.all()
        assert runs.count() == crashes.import_attempts
        assert runs.filter(finished_at=None).count() == KILLS
        assert runs.exclude(finished_at=None).exclude(status=ImportStatus.COMMITTED).count() == 0
        assert Signal.objects.filter(source="crash").count() == imported
        assert not Signal.objects.values("source", "key").annotate(n=Count("id")).filter(n__gt=1)

        # Every promoter decided once, asked once unless in the play's control group.
        play = Play.objects.get(name=PLAY)
        promoters = sorted(pk for batch in files for pk in batch["promoters"])
        decisions = Decision.objects.filter(play=play)
        assert sorted(decisions.values_list("contact_id", flat=True)) == promoters
        holdout = float(play.definition["holdout"])
        held_out = sorted(pk for pk in promoters if in_holdout(PLAY, pk, holdout))
        assert dict(Counter(decisions.values_list("outcome", flat=True))) == {
            Outcome.ASKED: len(promoters) - len(held_out),
            Outcome.HELD_OUT: len(held_out),
        }
        assert Decision.objects.exclude(play=play).count() == 0
        asks = Ask.objects.all()
        assert sorted(asks.values_list("contact_id", flat=True)) == sorted(
            set(promoters) - set(held_out)
        )
        assert sorted(asks.values_list("pk", flat=True)) == sorted(
            decisions.exclude(ask=None).values_list("ask_id", flat=True)
        )
        assert not asks.exclude(play=PLAY)
        open_twice = (
            asks.open().values("contact", "ask_type").annotate(n=Count("id")).filter(n__gt=1)
        )
        assert not open_twice
