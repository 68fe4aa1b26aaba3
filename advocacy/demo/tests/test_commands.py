"""The demo, serve and worker commands."""

from __future__ import annotations

import csv
import json
import sys
from argparse import ArgumentTypeError
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from advocacy.core.models import TaskLease
from advocacy.customers.models import Account, Contact
from advocacy.demo import serving
from advocacy.demo.services import DEMO_PASSWORD
from advocacy.signals.models import Signal

TINY = ["--accounts", "3", "--contacts", "12", "--signals", "90", "--engine-days", "3", "--json"]


def run_demo(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_demo_generates_data_and_the_demo_user_can_log_in() -> None:
    summary = run_demo(*TINY)

    assert (summary["accounts"], summary["contacts"], summary["signals"]) == (3, 12, 90)
    assert (Account.objects.count(), Contact.objects.count(), Signal.objects.count()) == (3, 12, 90)
    assert summary["username"] == "demo"
    assert summary["password"] == DEMO_PASSWORD
    # As the login page does: the lockout check needs the request that tries the password.
    login = RequestFactory().post("/login/")
    user = authenticate(login, username="demo", password=DEMO_PASSWORD)
    assert user is not None
    assert (user.role, user.is_staff) == ("admin", True)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_demo_gives_a_portal_link_that_opens_the_portal() -> None:
    summary = run_demo(*TINY)
    link = summary["portal_link"]
    assert link.startswith("http://127.0.0.1:8000/portal/enter/")
    assert Client().post(link.removeprefix("http://127.0.0.1:8000")).status_code == 302


@pytest.mark.django_db
def test_demo_runs_the_engine_so_a_newcomer_sees_decisions() -> None:
    """GIVEN a fresh database WHEN the demo runs THEN the playbook is loaded, the plays have
    run over the last 90 days and every contact has a profile."""
    from advocacy.engine.models import ContactProfile, Decision, Play

    summary = run_demo(*TINY)

    engine = summary["engine"]
    assert engine["plays"] == Play.objects.filter(enabled=True).count() == 8
    assert engine["profiles"] == ContactProfile.objects.count() == 12
    assert engine["decisions"] == Decision.objects.count()


@pytest.mark.django_db
def test_demo_skips_when_demo_data_exist_and_fresh_redoes_it() -> None:
    run_demo(*TINY)

    again = run_demo(*TINY)
    fresh = run_demo(
        "--accounts", "2", "--contacts", "5", "--signals", "20", "--engine-days", "0", "--json",
        "--fresh",
    )  # fmt: skip

    assert "skipped" in again
    assert Signal.objects.count() == 20
    assert (fresh["accounts"], Account.objects.count(), Contact.objects.count()) == (2, 2, 5)


def test_demo_writes_csv_files(tmp_path: Path) -> None:
    summary = run_demo(*TINY, "--csv", str(tmp_path))

    assert (summary["accounts"], summary["contacts"], summary["signals"]) == (3, 12, 90)
    with (tmp_path / "signals.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [
        "source", "key", "kind", "occurred_at", "email", "account_domain", "value", "text"
    ]  # fmt: skip
    assert len(rows) == 91
    assert rows[1][:2] == ["demo", "demo:1"]


def test_demo_refuses_bad_sizes() -> None:
    with pytest.raises(CommandError, match="--accounts 1"):
        call_command("demo", "--accounts", "0", "--contacts", "4", stdout=StringIO())


def test_demo_reads_sizes_like_100k_and_1m() -> None:
    from advocacy.demo.management.commands.demo import _count

    assert [_count("100k"), _count("1M"), _count("10_000"), _count("2.5k")] == [
        100_000,
        1_000_000,
        10_000,
        2_500,
    ]
    with pytest.raises(
        ArgumentTypeError, match="expected a count such as 1000, 100k or 1M, found 'x'"
    ):
        _count("x")


@pytest.mark.django_db
def test_serve_runs_gunicorn_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(serving.os, "execv", lambda path, argv: seen.append(argv))

    call_command("serve", "--port", "8123", "--workers", "3", stdout=StringIO())

    assert seen == [
        [
            sys.executable, "-m", "gunicorn", "advocacy.wsgi:application", "--bind",
            "127.0.0.1:8123", "--workers", "3", "--access-logfile", "-", "--timeout", "120",
            "--graceful-timeout", "10", "--no-control-socket",
        ]
    ]  # fmt: skip


@task()
def count_accounts() -> int:
    return Account.objects.count()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_runs_queued_tasks_and_exits_in_batch_mode() -> None:
    Account.objects.create(name="Only one")
    result = count_accounts.enqueue()

    call_command("worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())

    result.refresh()
    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_first_takes_back_the_tasks_of_workers_that_died(caplog) -> None:
    Account.objects.create(name="Only one")
    lost, unleased = count_accounts.enqueue(), count_accounts.enqueue()
    with time_machine.travel(timezone.now() - timedelta(hours=1)):
        for result in (lost, unleased):
            DBTaskResult.objects.get(pk=result.id).claim("killed")
    TaskLease.objects.filter(task_id=unleased.id).delete()  # claimed by a worker without leases

    call_command(
        "worker", "--batch", "--no-startup-delay", "--worker-id", "fresh",
        stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip

    for result in (lost, unleased):
        result.refresh()
        assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, 1)
        assert result.worker_ids == ["killed", "fresh"]
    assert TaskLease.objects.count() == 0
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "advocacy.core.leases"]
    ids = ", ".join(sorted([lost.id, unleased.id]))
    assert warning == f"2 task(s) whose worker stopped are READY again: {ids}"


@pytest.mark.django_db
def test_demo_fills_the_content_library_from_the_asks() -> None:
    from advocacy.content.models import Asset, Consent
    from advocacy.demo.content import KIND_OF_ASK, seed_content
    from advocacy.pipeline.models import Ask

    small = ["--accounts", "10", "--contacts", "60", "--signals", "1500", "--engine-days", "30"]
    summary = run_demo(*small, "--json")
    content_asks = Ask.objects.filter(ask_type__code__in=KIND_OF_ASK).count()
    assert content_asks > 0
    assert summary["content"] == Asset.objects.count() == min(12, content_asks)
    assert Consent.objects.count() == summary["content"]
    assert Asset.objects.filter(ask__isnull=True).count() == 0
    assert seed_content(now=Asset.objects.get(pk=Asset.objects.first().pk).created_at) == 0  # type: ignore[union-attr]


@pytest.mark.django_db
def test_demo_delivers_its_outbox_into_a_folder(settings: Any, tmp_path: Path) -> None:
    """GIVEN the file backend (as scripts/demo sets it) WHEN the demo runs THEN every email its
    asks wrote is settled (sent, or held or cancelled with a reason), the sent ones as files."""
    from advocacy.messaging.models import Message

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    settings.QUIET_HOURS = None
    summary = run_demo(*TINY)
    outbox = summary["outbox"]
    assert outbox["sent"] == Message.objects.filter(status="sent").count()
    assert Message.objects.filter(status__in=["queued", "sending"]).count() == 0
    written = "".join(p.read_text() for p in tmp_path.iterdir())
    assert written.count("List-Unsubscribe-Post: List-Unsubscribe=One-Click") == outbox["sent"]
    # The summary names the page that reads them back, and that page lists each one.
    assert summary["mail_folder"].endswith("/outbox/mail/")
    from advocacy.messaging import mailfolder

    assert len(mailfolder.entries(500)) == min(outbox["sent"], 500)


@pytest.mark.django_db
def test_the_demos_sentences_are_whole_lines_in_a_pipe(capsys: Any) -> None:
    """Piped (or in a log) no sentence is broken at 80 columns, and links stay whole."""
    call_command("demo", *TINY[:-1], stdout=StringIO())
    lines = capsys.readouterr().out.splitlines()
    loaded = [line for line in lines if line.startswith("Loaded 8 plays")]
    assert len(loaded) == 1
    assert loaded[0].endswith(" asks.")
    warning = [line for line in lines if line.startswith("Warning: this password is public")]
    assert warning == [
        "Warning: this password is public; the demo user is for a local demo only. Never run "
        "the demo on a server others can reach."
    ]
    at = lines.index(
        "See the portal as an advocate does, in a private window (the link opens once):"
    )
    assert lines[at + 1].startswith("  http://127.0.0.1:8000/portal/enter/")
