"""The `advocacy` console script: grouped help, the product's version, checks skipped."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from advocacy import cli

ROOT = Path(__file__).resolve().parent.parent


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def listed(text: str) -> list[str]:
    """The command names a help text lists (the first word of each indented line)."""
    return [line.split()[0] for line in lines_of(text) if line.startswith("  ") and line.strip()]


def test_help_lists_the_products_commands_in_groups_and_hides_djangos(capsys) -> None:
    cli.main(["--help"])
    out = capsys.readouterr().out
    names = listed(out)
    for name in ("run", "simulate", "asks", "import", "report", "demo", "createuser", "jobs"):
        assert name in names
    for hidden in ("squashmigrations", "startproject", "startapp", "flush", "axes_reset"):
        assert hidden not in names
    lines = lines_of(out)
    version = metadata.version("advocacy")
    assert lines[0] == f"advocacy {version}: a self-hosted customer advocacy engine."
    engine = lines.index("The engine")
    assert [line.split()[0] for line in lines[engine + 1 : engine + 9]] == [
        "advocates",
        "asks",
        "owner;",
        "explain",
        "playbook",
        "database.",
        "run",
        "simulate",
    ]  # fmt: skip (a long help wraps under its column)
    assert lines[engine + 3].startswith(" " * 19 + "owner; pause")
    operations = lines.index("Operations")
    ops = [line.split()[0] for line in lines[operations + 1 :] if line.startswith("  ")]
    assert ops[: len(cli.OPERATIONS)] == list(cli.OPERATIONS)
    assert lines[-1] == "`advocacy help --all` lists every command, Django's own included."


def test_no_arguments_and_help_print_the_same_grouped_list(capsys) -> None:
    cli.main([])
    bare = capsys.readouterr().out
    cli.main(["help"])
    assert capsys.readouterr().out == bare
    assert "Getting started" in bare


@pytest.mark.parametrize("flag", ["--all", "--django"])
def test_help_all_lists_every_command(capsys, flag: str) -> None:
    cli.main(["help", flag])
    out = capsys.readouterr().out
    names = listed(out)
    assert "squashmigrations" in names
    assert "run" in names
    assert "[django]" in lines_of(out)
    assert "`advocacy help --all`" not in out


def test_help_of_one_command_shows_its_options(capsys) -> None:
    cli.main(["help", "run"])
    out = capsys.readouterr().out
    assert out.startswith("usage: advocacy run ")
    assert "--incremental" in out


def test_groups_are_read_from_the_installed_apps() -> None:
    """A product app's commands are listed under its title without a word in cli.py."""
    found = {group.title: [name for name, _ in group.commands] for group in cli.groups()}
    assert found["The engine"] == ["advocates", "asks", "explain", "playbook", "run", "simulate"]
    assert found["People and keys"] == ["apikey", "audit", "createuser", "lockouts", "me", "users"]
    assert found["Operations"] == list(cli.OPERATIONS)
    assert next(iter(found)) == "Getting started"
    assert list(found)[-1] == "Operations"


def test_an_app_without_a_title_is_listed_under_its_verbose_name(monkeypatch) -> None:
    monkeypatch.delitem(cli.GROUP_TITLES, "rewards")
    titles = [group.title for group in cli.groups()]
    assert "Rewards and tiers" in titles
    titled = [t for t in cli.GROUP_TITLES.values() if t in titles]
    assert titles[: len(titled)] == titled  # the titled groups first, in their order
    assert "Rewards and tiers" in titles[len(titled) : -1]  # then the others, before operations
    assert titles[-1] == "Operations"


def test_summary_is_the_first_sentence_on_one_line() -> None:
    assert cli.summary("Create keys. A key's secret\n  is printed once.") == "Create keys."
    assert cli.summary("List asks; move one") == "List asks; move one"


def test_version_prints_the_products_version(capsys) -> None:
    cli.main(["--version"])
    assert capsys.readouterr().out == f"advocacy {metadata.version('advocacy')}\n"
    cli.main(["version"])
    assert capsys.readouterr().out == f"advocacy {metadata.version('advocacy')}\n"


def test_version_from_the_console_script_is_not_djangos() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "advocacy.settings"}
    done = subprocess.run(
        [sys.executable, "-m", "advocacy.cli", "--version"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout == f"advocacy {metadata.version('advocacy')}\n"
    assert metadata.version("advocacy") == "0.1.0"


def test_the_products_short_commands_skip_the_system_checks() -> None:
    """As if `--skip-checks` were given, right after the command's name (so a command with
    subcommands takes it too); Django's own and the long-running ones keep their checks."""
    for name in ("run", "asks"):
        utility = cli.Utility(["advocacy", name, "list", "--json"])
        utility.fetch_command(name)
        assert utility.argv == ["advocacy", name, "--skip-checks", "list", "--json"]
    for name in ("serve", "worker", "check", "createsuperuser"):
        utility = cli.Utility(["advocacy", name])
        utility.fetch_command(name)
        assert utility.argv == ["advocacy", name]
    utility = cli.Utility(["advocacy", "outbox", "--skip-checks", "list"])
    utility.fetch_command("outbox")
    assert utility.argv == ["advocacy", "outbox", "--skip-checks", "list"]


def test_skip_checks_is_still_accepted_by_a_short_command() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "advocacy.settings"}
    done = subprocess.run(
        [sys.executable, "-m", "advocacy.cli", "outbox", "--skip-checks", "deliver", "--help"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert "--worker-id" in done.stdout


def test_the_cli_startup_benchmark_prints_its_figures(tmp_path: Path) -> None:
    """Not a timing test: the benchmark runs end to end at a tiny scale."""
    import json

    from bench.harness import Context, discover

    ctx = Context(scale="tiny", workdir=tmp_path, db="sqlite")
    figures = [json.loads(f.as_json()) for f in discover()["cli_startup"].run(ctx)]
    assert [f["figure"] for f in figures] == ["run", "run_with_checks", "version", "help"]
    assert [(f["unit"], f["runs"]) for f in figures] == [("s CPU", 1)] * 4
    assert figures[0]["goal"] == "value < 1"
    assert [f["value"] > 0 and f["baseline"] > 0 for f in figures] == [True] * 4


def test_a_command_on_an_empty_database_says_to_migrate_first(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "advocacy.settings",
        "ADVOCACY_SECRET_KEY": "t",
        "ADVOCACY_DATA_DIR": str(tmp_path),
        "ADVOCACY_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "advocacy.cli", "createuser", "ada", "--role", "admin",
         "--password-stdin"],
        input="a-long-enough-password\n", cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "CommandError: the database has no tables yet: run `advocacy migrate` first\n"
    )
