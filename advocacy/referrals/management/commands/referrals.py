"""advocacy referrals list|show|move|create|link: advocates' referrals and their moves."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advocacy.core.management.clock import add_as_of, as_of
from advocacy.customers.management.lookup import contact_by_email
from advocacy.people.management.acting import acting_user
from advocacy.referrals import services
from advocacy.referrals.display import (
    dollars,
    event_row,
    label,
    line,
    link_of,
    referral_row,
    when,
)
from advocacy.referrals.models import Referral, ReferralStatus, Via
from advocacy.referrals.services import Prospect, ReferralError

READS = ("list", "show", "link")


def _cents(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        amount = Decimal(text.strip().lstrip("$").replace(",", ""))
    except InvalidOperation:
        raise CommandError(f"--deal: expected dollars (150000 or 99.50), found {text!r}") from None
    if not amount.is_finite() or amount < 0:
        raise CommandError(f"--deal: expected an amount of 0 or more, found {text!r}")
    return int(amount * 100)


class Command(BaseCommand):
    help = "Advocates' referrals: list, show, move, record one for an advocate, their link."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Referrals, newest first, with their status then.")
        listing.add_argument("--status", choices=ReferralStatus.values)
        listing.add_argument("--advocate", help="Only this advocate's (their email).")
        show = sub.add_parser("show", help="A referral and its moves.")
        show.add_argument("id", type=int)
        move = sub.add_parser("move", help="Move a referral (may credit a bonus).")
        move.add_argument("id", type=int)
        move.add_argument("status", choices=ReferralStatus.values)
        move.add_argument("--deal", help="The deal's amount in dollars.")
        move.add_argument("--note", default="")
        create = sub.add_parser("create", help="Record a referral for an advocate.")
        create.add_argument("advocate", help="The advocate's email.")
        create.add_argument("--name", required=True, help="Who is referred.")
        create.add_argument("--email", required=True, help="Their email.")
        create.add_argument("--company", required=True)
        create.add_argument("--website", default="", help="Default: the email's domain.")
        create.add_argument("--title", default="")
        create.add_argument("--note", default="")
        link = sub.add_parser("link", help="An advocate's referral code and link.")
        link.add_argument("advocate", help="The advocate's email.")
        for name, p in sub.choices.items():
            p.add_argument("--json", action="store_true", help="Print JSON.")
            add_as_of(p, "As of this date or date-time (default: now).")
            if name not in READS:
                p.add_argument("--as", dest="as_user", help="Act as this username.")

    def handle(self, *args: Any, **opts: Any) -> None:
        opts["actor"] = acting_user("referrals", opts)
        try:
            getattr(self, f"do_{opts['action']}")(opts)
        except ReferralError as exc:
            raise CommandError(str(exc)) from None

    def _out(self, opts: dict[str, Any], data: Any, text: str) -> None:
        self.stdout.write(json.dumps(data, indent=2) if opts["json"] else text)

    def _referral(self, pk: int, opts: dict[str, Any]) -> Referral:
        found = Referral.objects.as_of(as_of(opts)).select_related("advocate").filter(pk=pk).first()
        if found is None:
            raise CommandError(f"no referral with id {pk}")
        return found

    def do_list(self, opts: dict[str, Any]) -> None:
        qs = Referral.objects.as_of(as_of(opts), opts["status"] or "").select_related("advocate")
        if opts["advocate"]:
            qs = qs.filter(advocate=contact_by_email(opts["advocate"]))
        rows = [referral_row(r, r.status_as_of) for r in qs[:1000]]
        self._out(opts, rows, "\n".join(map(line, rows)) or "No referrals.")

    def do_show(self, opts: dict[str, Any]) -> None:
        at = as_of(opts)
        r = self._referral(opts["id"], opts)
        events = list(r.events.filter(at__lte=at))
        data = {**referral_row(r, r.status_as_of), "events": [event_row(e) for e in events]}
        text = [
            f"Referral {r.pk}: {r.prospect_name} <{r.prospect_email}>, {r.prospect_company}",
            f"  by {r.advocate.email}, {label(data['status'])}, deal {dollars(r.deal_cents)}",
            *(
                f"  {when(e.at)}  {label(e.from_status) or '—'} → {label(e.to_status)}"
                f"  by {e.by}{': ' + e.note if e.note else ''}"
                for e in events
            ),
        ]
        self._out(opts, data, "\n".join(text))

    def do_move(self, opts: dict[str, Any]) -> None:
        r = self._referral(opts["id"], opts)
        done = services.move(
            r,
            opts["status"],
            deal_cents=_cents(opts["deal"]),
            note=opts["note"],
            actor=opts["actor"],
            by="the command line",
            now=as_of(opts),
        )
        self._out(opts, referral_row(done), f"Referral {done.pk}: {label(done.status)}")

    def do_create(self, opts: dict[str, Any]) -> None:
        prospect = Prospect(
            name=opts["name"],
            email=opts["email"],
            company=opts["company"],
            website=opts["website"],
            title=opts["title"],
            note=opts["note"],
        )
        made = services.submit(
            contact_by_email(opts["advocate"]),
            prospect,
            via=Via.STAFF,
            actor=opts["actor"],
            by="the command line",
            now=as_of(opts),
        )
        self._out(opts, referral_row(made), f"Referral {made.pk} recorded.")

    def do_link(self, opts: dict[str, Any]) -> None:
        contact = contact_by_email(opts["advocate"])
        code = services.code_for(contact, now=as_of(opts))
        data = {"advocate": contact.email, "code": code, "link": link_of(code)}
        self._out(opts, data, f"{code}  {link_of(code)}")
