"""advocacy value preview|send|wrapped|reciprocity|weekly: the value moments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advocacy.core.management.clock import add_as_of, as_of
from advocacy.customers.management.lookup import contact_by_email
from advocacy.customers.models import Account
from advocacy.engine.reciprocity import balances
from advocacy.people.management.acting import acting_user
from advocacy.value import services, wrapped
from advocacy.value.models import MomentKind
from advocacy.value.services import MomentError

READS = ("preview", "wrapped", "reciprocity")


class Command(BaseCommand):
    help = "Value moments: preview or send the insight emails, the year in review, reciprocity."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        kinds = MomentKind.values
        preview = sub.add_parser("preview", help="A value moment's email, as it would go.")
        preview.add_argument("kind", choices=kinds)
        preview.add_argument("email", help="Whom it is for.")
        preview.add_argument("--period", help="2026-11, 2026-W48 or 2026 (default: last over).")
        preview.add_argument("--html", action="store_true", help="Print the HTML part.")
        send = sub.add_parser("send", help="Write a value moment to the outbox for everyone.")
        send.add_argument("kind", choices=kinds)
        send.add_argument("--period", help="Default: the last period over.")
        send.add_argument("--account", type=int, action="append", help="Only this account.")
        year = sub.add_parser("wrapped", help="The year in review of an advocate or an account.")
        who = year.add_mutually_exclusive_group(required=True)
        who.add_argument("--email", help="An advocate's year.")
        who.add_argument("--account", type=int, help="An account's year (its id).")
        year.add_argument("--year", help="Default: the last year over.")
        year.add_argument("--pdf", type=Path, help="Write the PDF to this file.")
        year.add_argument("--out", type=Path, help="Write the HTML page to this file.")
        rec = sub.add_parser("reciprocity", help="What the program gave against what it asked.")
        rec.add_argument("email")
        weekly = sub.add_parser("weekly", help="Set someone's weekly insights opt-in.")
        weekly.add_argument("email")
        weekly.add_argument("state", choices=["on", "off"])
        for name, p in sub.choices.items():
            p.add_argument("--json", action="store_true", help="Print JSON.")
            add_as_of(p, "As of this date or date-time (default: now).")
            if name not in READS:
                p.add_argument("--as", dest="as_user", help="Act as this username.")

    def handle(self, *args: Any, **opts: Any) -> None:
        opts["actor"] = acting_user("value", opts)
        try:
            getattr(self, f"do_{opts['action']}")(opts)
        except (MomentError, wrapped.NotFound) as exc:
            raise CommandError(str(exc)) from None

    def _out(self, opts: dict[str, Any], data: Any, text: str) -> None:
        self.stdout.write(json.dumps(data, indent=2) if opts["json"] else text)

    def do_preview(self, opts: dict[str, Any]) -> None:
        contact = contact_by_email(opts["email"])
        span = services.span_of(opts["kind"], opts["period"], now=as_of(opts))
        email = services.preview(opts["kind"], contact, span)
        data = {
            "period": span.label,
            "to": email.to,
            "subject": email.subject,
            "text": email.text,
            "html": email.html,
        }
        body = email.html if opts["html"] else email.text
        self._out(opts, data, f"To: {email.to}\nSubject: {email.subject}\n\n{body}")

    def do_send(self, opts: dict[str, Any]) -> None:
        span = services.span_of(opts["kind"], opts["period"], now=as_of(opts))
        sent = services.send(
            opts["kind"], span, now=as_of(opts), actor=opts["actor"], account_ids=opts["account"]
        )
        self._out(
            opts,
            sent.as_dict(),
            f"{MomentKind(sent.kind).label} for {span.words}: {sent.written} written to the "
            f"outbox, {sent.already} had it already.",
        )

    def do_wrapped(self, opts: dict[str, Any]) -> None:
        if opts["email"]:
            kind, contact_id, account_id = "wrapped", contact_by_email(opts["email"]).pk, None
        else:
            if not Account.objects.filter(pk=opts["account"]).exists():
                raise CommandError(f"no account with id {opts['account']}")
            kind, contact_id, account_id = "account_wrapped", None, opts["account"]
        span = services.span_of(kind, opts["year"], now=as_of(opts))
        written = []
        if opts["pdf"]:
            pdf, _ = wrapped.wrapped_pdf(kind, contact_id, account_id, span)
            opts["pdf"].write_bytes(pdf)
            written.append(str(opts["pdf"]))
        if opts["out"]:
            opts["out"].write_text(wrapped.page(kind, contact_id, account_id, span), "utf-8")
            written.append(str(opts["out"]))
        context = wrapped.page_context(kind, contact_id, account_id, span)
        data = {
            "year": span.label,
            "who": context["who"],
            "lines": context["lines"],
            "written": written,
        }
        text = "\n".join([f"{span.label} in review: {context['who']}", *context["lines"]])
        if written:
            text += "\nWritten: " + ", ".join(written)
        self._out(opts, data, text)

    def do_reciprocity(self, opts: dict[str, Any]) -> None:
        contact = contact_by_email(opts["email"])
        found = balances([contact.pk], as_of(opts))[contact.pk]
        self._out(
            opts,
            {"email": contact.email, **found.as_dict()},
            f"{contact.email}: gave {found.given}, asked {found.asked} in 12 months "
            f"(balance {found.balance:+d})",
        )

    def do_weekly(self, opts: dict[str, Any]) -> None:
        contact = contact_by_email(opts["email"])
        on = opts["state"] == "on"
        services.set_weekly(contact, on, now=as_of(opts), actor=opts["actor"], where="staff")
        self._out(
            opts,
            {"email": contact.email, "weekly": on},
            f"{contact.email}: weekly insights {'on' if on else 'off'}",
        )
