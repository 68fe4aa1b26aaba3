"""`--as USERNAME` on the CLI: who the command acts as, checked against the permission table.

A command run `--as` someone may do only what that user's role allows (see
advocacy.people.permissions: CLI maps each subcommand to its action). Without `--as` the
command acts as whoever holds the shell, as `manage.py` always does.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from advocacy.people.models import User
from advocacy.people.permissions import CLI, Action, allowed, refusal


def acting_user(command: str, opts: dict[str, Any]) -> User | None:
    """The user of `--as`, refused (CommandError) unless their role allows the subcommand."""
    name = opts.get("as_user")
    if not name:
        return None
    user = User.objects.filter(username=name).first()
    if user is None:
        raise CommandError(f"--as: no user named {name!r}")
    action = CLI.get((command, opts.get("action") or ""), Action.VIEW)
    if not allowed(user, action):
        raise CommandError(refusal(user, action))
    return user
