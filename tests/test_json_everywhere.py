"""`--json` on every command that prints: one JSON object on stdout."""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError

# What prints no JSON object, and why: long-running processes, a file in another format.
EXEMPT = {
    ("serve",): "serves the web UI until stopped",
    ("worker",): "runs tasks until stopped",
    ("audit", "export"): "the audit log as CSV",
    ("privacy", "export"): "prints a JSON document already",
    ("references", "invite"): "the calendar invite (.ics)",
    ("content", "render"): "the asset as HTML or PDF",
}


def actions(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> Iterator[Any]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, {o for a in parser._actions for o in a.option_strings}
        return
    for name, sub in subs[0].choices.items():
        yield from actions(sub, (*path, name))


def test_every_product_command_takes_json() -> None:
    """A new command (or action) that prints without `--json` fails here."""
    missing = []
    for name, app in sorted(get_commands().items()):
        if not app.startswith("advocacy."):
            continue
        parser = load_command_class(app, name).create_parser("advocacy", name)
        for path, options in actions(parser, (name,)):
            if "--json" not in options and path not in EXEMPT:
                missing.append(" ".join(path))
    assert missing == []


def run(*args: str, stdin: str | None = None, monkeypatch: Any = None) -> Any:
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command(*args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_report_json_is_the_json_format() -> None:
    assert run("report", "--json", "--as-of", "2026-06-01") == run(
        "report", "--format", "json", "--as-of", "2026-06-01"
    )
    with pytest.raises(CommandError, match="--json and --format csv: choose one"):
        run("report", "--json", "--format", "csv")


@pytest.mark.django_db
def test_createuser_json(monkeypatch: Any) -> None:
    made = run(
        "createuser", "ada", "--role", "cs", "--email", "ada@example.com", "--password-stdin",
        "--json", stdin="a-long-enough-password\n", monkeypatch=monkeypatch,
    )  # fmt: skip
    assert made == {"username": "ada", "role": "cs", "email": "ada@example.com"}


@pytest.mark.django_db
def test_audit_list_json(owner: Any) -> None:
    run("users", "invite", "bo", "--role", "cs", "--as", "owner", "--json")
    entries = run("audit", "list", "--json")["entries"]
    assert [(e["actor"], e["via"], e["target"]) for e in entries] == [("owner", "cli", "user bo")]
    assert set(entries[0]) == {
        "at", "actor", "via", "ip", "key", "action", "target", "summary", "detail"
    }  # fmt: skip


@pytest.mark.django_db
def test_scorecard_set_and_remove_json() -> None:
    assert run("scorecard", "set", "nps", "--target", "40", "--baseline", "20", "--json") == {
        "metric": "nps", "target": 40.0, "baseline": 20.0, "window": "quarter",
        "cadence": "monthly",
    }  # fmt: skip
    assert run("scorecard", "remove", "nps", "--json") == {"metric": "nps", "removed": True}


@pytest.mark.django_db
def test_apikey_revoke_json(member: Any) -> None:
    prefix = run("apikey", "create", "member", "--name", "ci", "--scope", "read", "--json")[
        "prefix"
    ]
    assert run("apikey", "revoke", prefix, "--json") == {
        "prefix": prefix, "revoked": True, "changed": True
    }  # fmt: skip
    assert run("apikey", "revoke", prefix, "--json")["changed"] is False


@pytest.mark.django_db
def test_scheduler_json() -> None:
    first = run("scheduler", "--json")
    assert sorted(first) == ["at", "enqueued"]
    assert "evaluate-plays" in first["enqueued"]
    assert run("scheduler", "--json")["enqueued"] == []  # claimed: not due again yet


@pytest.mark.django_db
def test_references_refresh_json() -> None:
    assert run("references", "refresh", "--json") == {"rows": 0}
