"""advocacy recognition badge|badge-issue|badge-revoke|featured|champions."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advocacy.core.management.clock import add_as_of, as_of
from advocacy.customers.models import Contact
from advocacy.people.management.acting import acting_user
from advocacy.recognition import services
from advocacy.recognition.services import RecognitionError


class Command(BaseCommand):
    help = "Advocates' badges, the featured customers and the champions group."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        badge = sub.add_parser("badge", help="An advocate's badge of this year and its links.")
        badge.add_argument("email")
        issue = sub.add_parser("badge-issue", help="Issue the badge to a champion.")
        issue.add_argument("email")
        issue.add_argument("--as", dest="as_user", help="Act as this username.")
        revoke = sub.add_parser("badge-revoke", help="Revoke it: its address stops answering.")
        revoke.add_argument("email")
        revoke.add_argument("--as", dest="as_user", help="Act as this username.")
        sub.add_parser("featured", help="The featured customers: only what consent allows.")
        champions = sub.add_parser("champions", help="The champions group, from the tier.")
        champions.add_argument("--csv", action="store_true", help="Print CSV (an export).")
        for p in sub.choices.values():
            p.add_argument("--json", action="store_true", help="Print JSON.")
            add_as_of(p, "As of this date or date-time (default: now).")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            action = opts["action"]
            if action.startswith("badge"):
                self.do_badge(opts, action.removeprefix("badge").lstrip("-") or "show")
            else:
                getattr(self, f"do_{action}")(opts)
        except RecognitionError as exc:
            raise CommandError(str(exc)) from None

    def _out(self, opts: dict[str, Any], data: Any, text: str) -> None:
        self.stdout.write(json.dumps(data, indent=2) if opts["json"] else text)

    def do_badge(self, opts: dict[str, Any], step: str) -> None:
        actor = acting_user("recognition", opts)
        now = as_of(opts)
        contact = Contact.objects.filter(email=opts["email"].strip().lower()).first()
        if contact is None:
            raise CommandError(f"no contact with email {opts['email']!r}")
        badge = services.current_badge(contact, now)
        if step == "issue":
            badge = services.issue_badge(contact, actor=actor, now=now)
        elif badge is None:
            raise CommandError(f"{contact.email} has no badge for {now.year}")
        elif step == "revoke":
            badge = services.revoke_badge(badge, actor=actor, now=now)
        row = services.badge_row(badge, now)
        if row["revoked_at"]:
            text = f"Badge {badge.pk} of {contact.email} revoked: its address no longer answers."
        else:
            who = row["shows_name"] or "no name (no consent to name them)"
            text = (
                f"{badge.tier} {badge.year} badge of {contact.email}, showing {who}\n"
                f"  page:  {row['page']}\n  image: {row['image']}"
            )
        self._out(opts, row, text)

    def do_featured(self, opts: dict[str, Any]) -> None:
        rows = [f.as_dict() for f in services.featured(as_of(opts))]
        text = "\n".join(
            f"{r['account']:<30} {r['name']:<25} {r['title'] or '-':<25}"
            f" logo: {'yes' if r['logo'] else 'no'}"
            for r in rows
        )
        self._out(opts, rows, text or "No customer's consent allows featuring them.")

    def do_champions(self, opts: dict[str, Any]) -> None:
        group = services.champions(as_of(opts))
        rows = [
            {"email": c.email, "name": c.name, "account": c.account, "tier": c.tier} for c in group
        ]
        if opts["csv"]:
            writer = csv.DictWriter(self.stdout, fieldnames=["email", "name", "account", "tier"])
            writer.writeheader()
            writer.writerows(rows)
            return
        text = "\n".join(
            f"{r['email']:<35} {r['name']:<25} {r['account']:<30} {r['tier']}" for r in rows
        )
        self._out(opts, rows, text or "Nobody is in the champions group.")
