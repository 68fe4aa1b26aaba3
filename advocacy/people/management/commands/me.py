"""`advocacy me notices [--notify-by email|slack|both|queue] --as USERNAME`: one's own settings.

The user is the one `--as` names (the shell has no user of its own): what the command shows and
changes is theirs. Without `--notify-by` it shows how their notices reach them; with it, it
changes that, audited with the before and after (as the web UI's My notices page does).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from advocacy.people.management.acting import acting_user
from advocacy.people.models import NotifyBy, User, Via
from advocacy.people.services import Change, PeopleError, set_notify_by


def notices_out(user: User) -> dict[str, Any]:
    return {"username": user.username, "notify_by": user.notify_by}


class Command(BaseCommand):
    help = "Your own settings: how your notices reach you."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        notices = sub.add_parser(
            "notices", help="Show how your notices reach you; --notify-by changes it."
        )
        notices.add_argument(
            "--notify-by",
            choices=NotifyBy.values,
            help="Where your notices go besides the work queue (queue: nowhere else).",
        )
        notices.add_argument("--as", dest="as_user", help="You: your username.")
        notices.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts.get("as_user"):
            raise CommandError("say who you are: --as USERNAME")
        user = acting_user("me", opts)
        assert user is not None
        if opts["notify_by"] is not None:
            change = Change(actor=user, via=Via.CLI, now=timezone.now())
            try:
                user = set_notify_by(user, opts["notify_by"], change=change)
            except PeopleError as exc:
                raise CommandError(str(exc)) from None
        if opts["json"]:
            self.stdout.write(json.dumps(notices_out(user)))
            return
        label = NotifyBy(user.notify_by).label.lower()
        self.stdout.write(f"{user.username}: notices by {label}")
