"""advocacy queue: the work queue, what to act on now, as the home page shows it."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from advocacy.people.management.acting import acting_user
from advocacy.workqueue.queue import LIMIT, work_queue


class Command(BaseCommand):
    help = (
        "The work queue: asks overdue or past their send window, content waiting for approval, "
        "reference requests not filled, consents ending soon, replies from advocates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="as_user", help="The queue of this username.")
        parser.add_argument(
            "--mine", action="store_true", help="Only their own asks, requests and content."
        )
        parser.add_argument(
            "--limit", type=int, default=LIMIT, help=f"Items per section (default {LIMIT})."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = acting_user("queue", opts)
        if opts["mine"] and user is None:
            raise CommandError("--mine needs --as USER: whose work is it?")
        if opts["limit"] < 1:
            raise CommandError("--limit must be 1 or more")
        sections = work_queue(user, now=timezone.now(), mine=opts["mine"], limit=opts["limit"])
        if opts["json"]:
            self.stdout.write(json.dumps({"sections": [s.as_dict() for s in sections]}))
            return
        if not any(s.total for s in sections):
            self.stdout.write("Nothing waits: the queue is empty.")
            return
        for section in sections:
            if not section.total:
                continue
            self.stdout.write(f"{section.title} ({section.total})")
            for item in section.items:
                self.stdout.write(f"  {item.action}: {item.text}  [{item.target} {item.target_id}]")
            if section.total > len(section.items):
                self.stdout.write(f"  … and {section.total - len(section.items)} more")
