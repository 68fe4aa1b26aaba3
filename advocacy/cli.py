"""The `advocacy` console script: Django's management commands under one friendly name.

`advocacy import contacts export.csv` is `manage.py import contacts export.csv`. `advocacy help`
lists the product's commands grouped by the app that holds them, and the few of Django's own an
operator needs; `advocacy help --all` lists every command Django knows. Business logic never
lives here: each command calls a service.

The grouping is read from the installed apps: a command of an app under `advocacy.` is listed
under its app's title (GROUP_TITLES, else the app's verbose name), so a new app's commands show
up without an edit here. Django's own commands (and those of the libraries) are hidden unless
OPERATIONS names them; they all still run.
"""

from __future__ import annotations

import os
import sys
import textwrap
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from django.core.management import ManagementUtility

PRODUCT = "advocacy."

# Titles for the product's apps, in the order `advocacy help` lists them; an app not named here
# is listed after these under its verbose name.
GROUP_TITLES: dict[str, str] = {
    "demo": "Getting started",
    "workqueue": "The work queue",
    "people": "People and keys",
    "signals": "Data in",
    "engine": "The engine",
    "pipeline": "The pipeline",
    "messaging": "The outbox",
    "content": "Content",
    "references": "The reference desk",
    "portal": "The advocate portal",
    "referrals": "Referrals",
    "rewards": "Rewards",
    "privacy": "Personal data",
    "metrics": "Metrics",
    "core": "Background work",
}

# Django's own commands an operator needs, listed under "Operations" with a line in our words.
OPERATIONS: dict[str, str] = {
    "migrate": "Create or upgrade the database's tables (after an install or an upgrade).",
    "showmigrations": "List the database migrations and which are applied.",
    "createsuperuser": "Create a Django superuser (prefer `createuser --role admin`).",
    "changepassword": "Set a user's password at the prompt.",
    "check": "Run Django's system checks on the settings, models and URLs.",
    "shell": "A Python shell with the product loaded.",
    "dbshell": "The database's own command-line client.",
}

# The product's commands that keep Django's system checks before they start: the long-running
# processes, where a misconfiguration is better caught at once. The others skip them (`advocacy
# check` runs them on demand): the checks import every view through the URLconf, which is most
# of a short command's start-up.
CHECKED = frozenset({"serve", "worker"})


@dataclass(frozen=True)
class Group:
    title: str
    commands: list[tuple[str, str]]  # (name, one line of help)


def version() -> str:
    """The product's version, from its installed package's metadata."""
    try:
        return metadata.version("advocacy")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def is_product(app_name: str) -> bool:
    return app_name.startswith(PRODUCT)


def summary(help_text: str) -> str:
    """The first sentence of a command's help, on one line."""
    text = " ".join(str(help_text).split())
    first, dot, _ = text.partition(". ")
    return first + "." if dot else text


def groups(*, everything: bool = False) -> list[Group]:
    """The commands `advocacy help` lists, grouped; with `everything`, Django's and the
    libraries' too, each under its app's label."""
    from django.apps import apps
    from django.core.management import get_commands, load_command_class

    by_app: dict[str, list[str]] = {}
    for name, app_name in get_commands().items():
        by_app.setdefault(app_name, []).append(name)

    def listed(app_name: str, names: list[str]) -> list[tuple[str, str]]:
        return [(n, summary(load_command_class(app_name, n).help)) for n in sorted(names)]

    found: list[Group] = []
    order = list(GROUP_TITLES)
    product = sorted(
        (config for config in apps.get_app_configs() if is_product(config.name)),
        key=lambda c: order.index(c.label) if c.label in order else len(order),
    )
    for config in product:
        if config.name in by_app:
            title = GROUP_TITLES.get(config.label) or str(config.verbose_name).capitalize()
            found.append(Group(title, listed(config.name, by_app[config.name])))
    others = {app: names for app, names in by_app.items() if not is_product(app)}
    if everything:
        for app_name, names in sorted(others.items()):
            label = "django" if app_name == "django.core" else app_name.rpartition(".")[-1]
            found.append(Group(f"[{label}]", listed(app_name, names)))
        return found
    known = {name for names in others.values() for name in names}
    found.append(Group("Operations", [(n, t) for n, t in OPERATIONS.items() if n in known]))
    return found


def help_text(*, everything: bool = False, width: int = 100) -> str:
    """The grouped list of commands, each with the first sentence of its help."""
    found = groups(everything=everything)
    column = max(len(name) for group in found for name, _ in group.commands) + 4
    lines = [
        f"advocacy {version()}: a self-hosted customer advocacy engine.",
        "",
        "Usage: advocacy COMMAND [options]",
    ]
    for group in found:
        lines += ["", group.title]
        for name, text in group.commands:
            wrapped = textwrap.wrap(text, width=max(40, width - column)) or [""]
            lines.append(f"  {name.ljust(column - 2)}{wrapped[0]}")
            lines += [" " * column + more for more in wrapped[1:]]
    lines += [
        "",
        "`advocacy help COMMAND` (or `advocacy COMMAND --help`) shows a command's options.",
    ]
    if not everything:
        lines.append("`advocacy help --all` lists every command, Django's own included.")
    return "\n".join(lines)


class Utility(ManagementUtility):
    """Django's utility with the product's help, version and start-up."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self.everything = argv[1:2] == ["help"] and bool({"--all", "--django"} & set(argv[2:]))

    def main_help_text(self, commands_only: bool = False) -> str:
        if commands_only:
            return super().main_help_text(commands_only=True)
        return help_text(everything=self.everything)

    def fetch_command(self, subcommand: str) -> Any:
        from django.core.management import get_commands

        command = super().fetch_command(subcommand)
        # A product's short command runs as if the caller had passed --skip-checks, right after
        # its name: the option stays accepted (scripts and process managers pass it), and the
        # checks are not run.
        if (
            is_product(get_commands().get(subcommand, ""))
            and subcommand not in CHECKED
            and command.requires_system_checks
            and "--skip-checks" not in self.argv
        ):
            self.argv = [*self.argv[:2], "--skip-checks", *self.argv[2:]]
        return command


def unmigrated() -> str | None:
    """What to tell someone whose command met a database without its tables, if it did.

    Asked only after a database error, so a command on a migrated database pays nothing.
    """
    from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[DEFAULT_DB_ALIAS]
    connection.close()  # a fresh connection: the failed one may be in an aborted transaction
    try:
        if "django_migrations" not in connection.introspection.table_names():
            return "the database has no tables yet: run `advocacy migrate` first"
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return None
    if plan:
        return (
            f"the database is {len(plan)} migration(s) behind this version: "
            "run `advocacy migrate` first"
        )
    return None


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["version"]):
        sys.stdout.write(f"advocacy {version()}\n")
        return
    from django.db import DatabaseError

    try:
        Utility(["advocacy", *(args or ["help"])]).execute()
    except DatabaseError:
        message = unmigrated()
        if message is None:
            raise
        sys.stderr.write(f"CommandError: {message}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
