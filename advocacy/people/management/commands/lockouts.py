"""`advocacy lockouts [list] [--json]` and `advocacy lockouts unlock USERNAME`: login lockouts."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from advocacy.core.lockout import LockoutError, lockouts
from advocacy.people.models import Via
from advocacy.people.services import Change, unlock_user


class Command(BaseCommand):
    help = (
        "List the usernames locked out after too many failed logins, or unlock one at once "
        "(its failed logins are cleared)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION")
        listing = actions.add_parser("list", help="the lockouts in force (the default)")
        listing.add_argument("--json", action="store_true", help="print JSON")
        release = actions.add_parser("unlock", help="unlock a username now")
        release.add_argument("username")
        release.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "unlock":
            self._unlock(options)
        else:
            self._list(bool(options.get("json")))

    def _list(self, as_json: bool) -> None:
        found = lockouts(now=timezone.now())
        if as_json:
            rows = [
                {
                    "username": lockout.username,
                    "ip_address": lockout.ip_address,
                    "failures": lockout.failures,
                    "until": lockout.until.isoformat(),
                }
                for lockout in found
            ]
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not found:
            self.stdout.write("no username is locked out")
            return
        self.stdout.write(f"{'USERNAME':<20} {'FAILURES':>8}  {'UNTIL':<25} ADDRESS")
        for lockout in found:
            until = timezone.localtime(lockout.until).isoformat(timespec="seconds")
            self.stdout.write(
                f"{lockout.username[:20]:<20} {lockout.failures:>8}  {until:<25} "
                f"{lockout.ip_address or 'any'}"
            )

    def _unlock(self, options: dict[str, Any]) -> None:
        try:
            change = Change(actor=None, via=Via.CLI, now=timezone.now())
            done = unlock_user(options["username"], change=change)
        except LockoutError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            until = done.was_locked_until
            data = {
                "username": done.username,
                "was_locked_until": until.isoformat() if until else None,
                "cleared": done.cleared,
            }
            self.stdout.write(json.dumps(data))
            return
        if done.was_locked_until is None:
            self.stdout.write(
                f"{done.username} was not locked out; {done.cleared} failed-login record(s) cleared"
            )
        else:
            self.stdout.write(f"unlocked {done.username}: it may log in again now")
