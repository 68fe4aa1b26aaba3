"""advocacy search QUERY: contacts, accounts, asks, reference requests and content that start
with the text, grouped."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advocacy.people.management.acting import acting_user
from advocacy.workqueue.search import LIMIT, search

HEADINGS = {
    "contacts": "Contacts",
    "accounts": "Accounts",
    "asks": "Asks",
    "requests": "Reference requests",
    "content": "Content",
}


class Command(BaseCommand):
    help = (
        "Search contacts, accounts, asks, reference requests and content by the start of "
        "their names, emails, titles or an ask's number."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", nargs="+", help="The start of a name, email, title; #123.")
        parser.add_argument("--as", dest="as_user", help="Only what this username may see.")
        parser.add_argument(
            "--limit", type=int, default=LIMIT, help=f"Results per group (default {LIMIT})."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = acting_user("search", opts)
        if opts["limit"] < 1:
            raise CommandError("--limit must be 1 or more")
        try:
            results = search(" ".join(opts["query"]), user=user, limit=opts["limit"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if opts["json"]:
            self.stdout.write(json.dumps(results.as_dict()))
            return
        if not results.total:
            self.stdout.write(f"Nothing starts with “{results.query}”.")
            return
        for name, hits in results.groups.items():
            if not hits:
                continue
            more = "+" if results.more[name] else ""
            self.stdout.write(f"{HEADINGS[name]} ({len(hits)}{more})")
            for hit in hits:
                detail = f"  ({hit.detail})" if hit.detail else ""
                self.stdout.write(f"  {hit.kind} {hit.id}: {hit.title}{detail}")
