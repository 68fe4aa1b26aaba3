"""`advocacy users list|invite|set|deactivate|activate|reset-password`: the team's accounts.

Each change is written to the audit log with its before and after. `--as USERNAME` records who
made it and refuses unless that user may manage users; without it the change is the shell's.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from advocacy.people.management.acting import acting_user
from advocacy.people.models import NotifyBy, Role, Via
from advocacy.people.services import (
    Change,
    PeopleError,
    invite_user,
    reset_password,
    update_user,
    users,
)


class Command(BaseCommand):
    help = "List users; invite one; change a role or email; deactivate; reset a password."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = sub.add_parser("list", help="Everyone, active first.")
        invite = sub.add_parser("invite", help="Create a user; prints their one-time link.")
        invite.add_argument("username")
        invite.add_argument("--role", required=True, choices=Role.values)
        invite.add_argument("--email", default="")
        setting = sub.add_parser(
            "set", help="Change a user's role, email or how their notices reach them."
        )
        setting.add_argument("username")
        setting.add_argument("--role", choices=Role.values)
        setting.add_argument("--email")
        setting.add_argument(
            "--notify-by",
            choices=NotifyBy.values,
            help="Where their notices go besides the work queue (queue: nowhere else).",
        )
        deactivate = sub.add_parser("deactivate", help="Stop a user signing in (keys too).")
        deactivate.add_argument("username")
        activate = sub.add_parser("activate", help="Let a deactivated user sign in again.")
        activate.add_argument("username")
        reset = sub.add_parser(
            "reset-password", help="The old password stops working; prints a one-time link."
        )
        reset.add_argument("username")
        for p in (invite, setting, deactivate, activate, reset):
            p.add_argument("--as", dest="as_user", help="Record it as this username.")
        for p in (listing, invite, setting, deactivate, activate, reset):
            p.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **opts: Any) -> None:
        actor = acting_user("users", opts)
        change = Change(actor=actor, via=Via.CLI, now=timezone.now())
        try:
            getattr(self, f"do_{opts['action'].replace('-', '_')}")(opts, change)
        except PeopleError as exc:
            raise CommandError(str(exc)) from None

    def out(self, opts: dict[str, Any], data: Any, text: str) -> None:
        self.stdout.write(json.dumps(data) if opts["json"] else text)

    def do_list(self, opts: dict[str, Any], change: Change) -> None:
        rows = [
            {
                "username": u.username,
                "email": u.email,
                "role": "admin" if u.is_superuser else u.role,
                "active": u.is_active,
                "notify_by": u.notify_by,
                "last_login": u.last_login.isoformat() if u.last_login else None,
            }
            for u in users()
        ]
        text = "\n".join(
            f"{r['username']:<20} {r['role']:<10} {'active' if r['active'] else 'deactivated':<12}"
            f" {r['email']}"
            for r in rows
        )
        self.out(opts, {"users": rows}, text or "no users yet")

    def do_invite(self, opts: dict[str, Any], change: Change) -> None:
        user, link = invite_user(
            opts["username"], role=opts["role"], email=opts["email"], change=change
        )
        self.out(
            opts,
            {"username": user.username, "role": user.role, "link": link},
            f"invited {user.username} ({user.get_role_display()}); their one-time link to set "
            f"a password (append it to the web UI's address): {link}",
        )

    def _updated(self, opts: dict[str, Any], change: Change, **fields: Any) -> None:
        user = update_user(opts["username"], change=change, **fields)
        self.out(
            opts,
            {
                "username": user.username,
                "role": user.role,
                "active": user.is_active,
                "notify_by": user.notify_by,
            },
            f"{user.username}: {user.get_role_display()}, "
            f"{'active' if user.is_active else 'deactivated'}, "
            f"notices by {user.get_notify_by_display().lower()}",
        )

    def do_set(self, opts: dict[str, Any], change: Change) -> None:
        if opts["role"] is None and opts["email"] is None and opts["notify_by"] is None:
            raise CommandError("give --role, --email or --notify-by")
        self._updated(
            opts, change, role=opts["role"], email=opts["email"], notify_by=opts["notify_by"]
        )

    def do_deactivate(self, opts: dict[str, Any], change: Change) -> None:
        self._updated(opts, change, is_active=False)

    def do_activate(self, opts: dict[str, Any], change: Change) -> None:
        self._updated(opts, change, is_active=True)

    def do_reset_password(self, opts: dict[str, Any], change: Change) -> None:
        link = reset_password(opts["username"], change=change)
        self.out(
            opts,
            {"username": opts["username"], "link": link},
            f"{opts['username']}'s password no longer works; their one-time link: {link}",
        )
