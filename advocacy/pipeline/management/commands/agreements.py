"""advocacy agreements list|show|create|update|end|opt-out: advocacy agreements and opt-outs."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date
from rich.table import Table

from advocacy.core.management.clock import add_as_of, as_of
from advocacy.core.management.output import output_console
from advocacy.customers.management.lookup import contact_by_email
from advocacy.people.management.acting import acting_user
from advocacy.pipeline.agreement_services import (
    AgreementError,
    create_agreement,
    end_agreement,
    opt_out,
    update_agreement,
)
from advocacy.pipeline.agreements import Agreement, AgreementStatus


def agreement_row(a: Agreement) -> dict[str, Any]:
    return {
        "id": a.pk,
        "contact_id": a.contact_id,
        "email": a.contact.email,
        "status": a.status,
        "scope": a.scope,
        "benefits": a.benefits,
        "starts_on": a.starts_on.isoformat(),
        "ends_on": a.ends_on.isoformat() if a.ends_on else None,
        "signed_on": a.signed_on.isoformat() if a.signed_on else None,
        "ended_at": a.ended_at.isoformat() if a.ended_at else None,
        "end_reason": a.end_reason,
    }


def _day(text: str | None, option: str) -> date | None:
    if text is None or text == "":
        return None
    day = parse_date(text)
    if day is None:
        raise CommandError(f"{option}: expected a date (2026-05-31), found {text!r}")
    return day


def _scope(text: str) -> list[str]:
    return [code.strip() for code in text.split(",") if code.strip()]


class Command(BaseCommand):
    help = "Advocacy agreements (scope, benefits, term) and opt-outs that stop every open ask."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Agreements, newest term first.")
        listing.add_argument("--email", help="Only this contact's.")
        listing.add_argument("--status", choices=AgreementStatus.values)
        show = sub.add_parser("show", help="One agreement.")
        show.add_argument("id", type=int)
        create = sub.add_parser("create", help="Record an agreement (a draft unless --signed).")
        create.add_argument("email")
        update = sub.add_parser("update", help="Change a draft or active agreement.")
        update.add_argument("id", type=int)
        for p, required in ((create, True), (update, False)):
            p.add_argument("--scope", required=required, help="Ask type codes, comma-separated.")
            p.add_argument("--benefits", help="What the advocate gets in return.")
            p.add_argument(
                "--starts", required=False, help="First day of the term (default: --as-of's day)."
            )
            p.add_argument("--ends", help="Last day of the term (none: until ended).")
            p.add_argument("--signed", help="The day it was signed: makes it active.")
        end = sub.add_parser("end", help="End a draft or active agreement.")
        end.add_argument("id", type=int)
        end.add_argument("--reason", default="")
        out = sub.add_parser(
            "opt-out", help="Record an opt-out: every open ask cancelled, the agreement ended."
        )
        out.add_argument("email")
        out.add_argument("--reason", default="")
        for p in (listing, show, create, update, end, out):
            p.add_argument("--json", action="store_true", help="Print one JSON object.")
        for p in (create, update, end, out):
            p.add_argument("--as", dest="as_user", help="Record it as this username.")
            add_as_of(p)

    def handle(self, *args: Any, **opts: Any) -> None:
        acting_user("agreements", opts)  # refused before anything is looked up
        try:
            getattr(self, f"do_{opts['action'].replace('-', '_')}")(opts)
        except AgreementError as exc:
            raise CommandError(str(exc)) from None

    def _actor(self, opts: dict[str, Any]) -> Any:
        if not opts.get("as_user"):
            return None
        user = get_user_model().objects.filter(username=opts["as_user"]).first()
        if user is None:
            raise CommandError(f"--as: no user named {opts['as_user']!r}")
        return user

    def _agreement(self, pk: int) -> Agreement:
        found = Agreement.objects.select_related("contact").filter(pk=pk).first()
        if found is None:
            raise CommandError(f"no agreement with id {pk}")
        return found

    def _print(self, opts: dict[str, Any], a: Agreement, verb: str) -> None:
        if opts["json"]:
            self.stdout.write(json.dumps(agreement_row(a)))
        else:
            term = f"{a.starts_on} to {a.ends_on or 'open end'}"
            scope = ", ".join(a.scope) or "nothing yet"
            self.stdout.write(f"agreement {a.pk} {verb}: {a.status}, {term}, scope {scope}")

    def do_list(self, opts: dict[str, Any]) -> None:
        rows = Agreement.objects.select_related("contact")
        if opts["email"]:
            rows = rows.filter(contact=contact_by_email(opts["email"]))
        if opts["status"]:
            rows = rows.filter(status=opts["status"])
        found = [agreement_row(a) for a in rows[:500]]
        if opts["json"]:
            self.stdout.write(json.dumps({"agreements": found}))
            return
        table = Table(title=f"{len(found)} agreement(s)")
        for column in ("id", "contact", "status", "scope", "term", "signed"):
            table.add_column(column)
        for r in found:
            term = f"{r['starts_on']} → {r['ends_on'] or '…'}"
            table.add_row(
                str(r["id"]),
                r["email"],
                r["status"],
                ", ".join(r["scope"]),
                term,
                r["signed_on"] or "—",
            )
        output_console(self.stdout).print(table)

    def do_show(self, opts: dict[str, Any]) -> None:
        self._print(opts, self._agreement(opts["id"]), "is")

    def do_create(self, opts: dict[str, Any]) -> None:
        signed, now = _day(opts["signed"], "--signed"), as_of(opts)
        a = create_agreement(
            contact_by_email(opts["email"]),
            scope=_scope(opts["scope"]),
            benefits=opts["benefits"] or "",
            starts_on=_day(opts["starts"], "--starts") or timezone.localdate(now),
            ends_on=_day(opts["ends"], "--ends"),
            signed_on=signed,
            status=AgreementStatus.ACTIVE if signed else AgreementStatus.DRAFT,
            actor=self._actor(opts),
            now=now,
        )
        self._print(opts, a, "recorded")

    def do_update(self, opts: dict[str, Any]) -> None:
        changes: dict[str, Any] = {}
        if opts["scope"] is not None:
            changes["scope"] = _scope(opts["scope"])
        if opts["benefits"] is not None:
            changes["benefits"] = opts["benefits"]
        if opts["starts"] is not None:
            changes["starts_on"] = _day(opts["starts"], "--starts")
        if opts["ends"] is not None:
            changes["ends_on"] = _day(opts["ends"], "--ends")
        if opts["signed"] is not None:
            changes["signed_on"] = _day(opts["signed"], "--signed")
            changes["status"] = AgreementStatus.ACTIVE
        if not changes:
            raise CommandError(
                "nothing to change: give --scope, --benefits, --starts, --ends or --signed"
            )
        a = update_agreement(
            self._agreement(opts["id"]), actor=self._actor(opts), now=as_of(opts), **changes
        )
        self._print(opts, a, "updated")

    def do_end(self, opts: dict[str, Any]) -> None:
        a = end_agreement(
            self._agreement(opts["id"]),
            actor=self._actor(opts),
            now=as_of(opts),
            reason=opts["reason"],
        )
        self._print(opts, a, "ended")

    def do_opt_out(self, opts: dict[str, Any]) -> None:
        result = opt_out(
            contact_by_email(opts["email"]),
            now=as_of(opts),
            actor=self._actor(opts),
            reason=opts["reason"],
        )
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        when = "already opted out on" if result.already else "opted out on"
        self.stdout.write(
            f"{result.contact.email} {when} {result.opted_out_at:%Y-%m-%d %H:%M}; "
            f"{len(result.cancelled)} open ask(s) cancelled, "
            f"{len(result.agreements_ended)} agreement(s) ended"
        )
