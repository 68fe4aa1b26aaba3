"""advocacy portal link|notices: the staff side of the advocate portal from the command line."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.table import Table

from advocacy.core.management.output import output_console
from advocacy.customers.management.lookup import contact_by_email
from advocacy.messaging.portal_links import CannotIssue, issue_portal_link
from advocacy.people.management.acting import acting_user
from advocacy.people.models import User, Via
from advocacy.pipeline.notices import Notice, NoticeKind

SHOWN = 50


def notice_row(n: Notice) -> dict[str, Any]:
    return {
        "id": n.pk,
        "kind": n.kind,
        "contact_id": n.contact_id,
        "email": n.contact.email if n.contact else None,
        "ask_id": n.ask_id,
        "recipient": n.recipient.get_username() if n.recipient else None,
        "role": n.role,
        "text": n.text,
        "at": n.at.isoformat(),
        "delivered_at": n.delivered_at.isoformat() if n.delivered_at else None,
    }


class Command(BaseCommand):
    help = "The advocate portal: send someone a link to it; read what advocates did there."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        link = sub.add_parser(
            "link", help="A fresh link to the contact's portal, to send by hand (it opens once)."
        )
        link.add_argument("email")
        link.add_argument("--ask", type=int, help="The id of the ask the link is about.")
        link.add_argument("--as", dest="as_user", help="Take it as this username (audited).")
        notices = sub.add_parser("notices", help="What advocates did in the portal, newest first.")
        notices.add_argument("--for", dest="for_user", help="Only those for this username.")
        notices.add_argument("--email", help="Only this contact's.")
        notices.add_argument("--kind", choices=NoticeKind.values)
        notices.add_argument("--undelivered", action="store_true", help="Not yet sent on.")
        notices.add_argument("--limit", type=int, default=SHOWN)
        for p in (link, notices):
            p.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **opts: Any) -> None:
        actor = acting_user("portal", opts)  # refused before anything is looked up
        if opts["action"] == "link":
            self.do_link(opts, actor)
        else:
            self.do_notices(opts)

    def do_link(self, opts: dict[str, Any], actor: User | None) -> None:
        contact = contact_by_email(opts["email"])
        try:
            issued = issue_portal_link(
                contact, actor=actor, via=Via.CLI, now=timezone.now(), ask_id=opts["ask"]
            )
        except CannotIssue as exc:
            raise CommandError(str(exc)) from None
        if opts["json"]:
            self.stdout.write(json.dumps(issued.as_dict()))
            return
        self.stdout.write(
            f"Send this link to {contact.email}; it opens their portal once, until "
            f"{issued.expires_at:%Y-%m-%d %H:%M %Z}:\n{issued.url}"
        )

    def do_notices(self, opts: dict[str, Any]) -> None:
        found = Notice.objects.select_related("contact", "recipient")
        if opts["for_user"]:
            user = User.objects.filter(username=opts["for_user"]).first()
            if user is None:
                raise CommandError(f"--for: no user named {opts['for_user']!r}")
            found = found.for_user(user)
        if opts["email"]:
            found = found.filter(contact=contact_by_email(opts["email"]))
        if opts["kind"]:
            found = found.filter(kind=opts["kind"])
        if opts["undelivered"]:
            found = found.undelivered()
        rows = list(found.order_by("-at", "-id")[: max(1, opts["limit"])])
        if opts["json"]:
            self.stdout.write(json.dumps({"notices": [notice_row(n) for n in rows]}))
            return
        table = Table("When", "Who", "What", "For")
        for n in rows:
            who = n.recipient.get_username() if n.recipient else f"({n.role or 'anyone'})"
            email = n.contact.email if n.contact else "—"
            table.add_row(f"{n.at:%Y-%m-%d %H:%M}", email, n.text, who)
        output_console(self.stdout).print(table)
