"""advocacy nominate EMAIL --reason TEXT: nominate a customer as an advocate."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advocacy.core.management.clock import add_as_of, as_of
from advocacy.customers.management.lookup import contact_by_email
from advocacy.people.management.acting import acting_user
from advocacy.signals.nominations import NominationRefused, nominate


class Command(BaseCommand):
    help = (
        "Nominate a customer as an advocate, with the reason; the plays that start from a "
        "nomination pick it up on their next run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The contact's email.")
        parser.add_argument("--reason", required=True, help="Why they are ready to advocate.")
        parser.add_argument("--as", dest="as_user", help="Nominate as this username.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        add_as_of(parser, help="Record the nomination as of this date or date-time.")

    def handle(self, *args: Any, **opts: Any) -> None:
        actor = acting_user("nominate", opts)
        contact = contact_by_email(opts["email"])
        try:
            found = nominate(contact, reason=opts["reason"], actor=actor, now=as_of(opts))
        except NominationRefused as exc:
            raise CommandError(f"{contact.email}: {exc}") from None
        if opts["json"]:
            self.stdout.write(json.dumps(found.as_dict()))
            return
        said = "nominated" if found.created else "already nominated at this moment"
        self.stdout.write(f"{contact.email} {said}: {found.signal.text}")
