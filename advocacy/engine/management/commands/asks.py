"""advocacy asks list|show|open|move|decline|assign|escalate|views: the pipeline of asks from
the command line."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.table import Table

from advocacy.core.labels import label, person
from advocacy.core.management.clock import add_as_of, as_of
from advocacy.core.management.output import output_console
from advocacy.core.management.paging import add_paging, page
from advocacy.customers.models import Contact
from advocacy.engine.asks import CapExceeded
from advocacy.engine.bulk import TooMany, ask_many
from advocacy.engine.management import ask_views, guard_actions
from advocacy.engine.models import Play
from advocacy.engine.pipeline_flow import MoveResult, decline_ask, move_ask
from advocacy.engine.services import Excluded, current_policy, open_manual_ask
from advocacy.people.management.acting import acting_user
from advocacy.pipeline.escalation import escalate_overdue
from advocacy.pipeline.models import Ask, AskStatus, AskType
from advocacy.pipeline.services import InvalidTransition, assign_asks

LIST_LIMIT = 200


def _at(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _row(ask: Ask, now: datetime) -> dict[str, Any]:
    """The ask as the CLI shows it: `send_by` is when it must go out, `due_at` when the
    advocate's answer is due."""
    return {
        "id": ask.pk,
        "email": ask.contact.email,
        "ask_type": ask.ask_type.code,
        "play": ask.play,
        "status": ask.status,
        "owner": ask.owner.get_username() if ask.owner else None,
        "owner_role": ask.owner_role,
        "opened_at": ask.opened_at.isoformat(),
        "send_by": _at(ask.send_by),
        "sent_at": _at(ask.sent_at),
        "due_at": _at(ask.due_at),
        "missed_send_window": ask.missed_send_window(now),
        "paused_reason": ask.paused_reason if ask.paused_at else None,
    }


def _send_by(row: dict[str, Any], full: bool = False) -> str:
    if not row["send_by"]:
        return "—"
    when = row["send_by"][:16].replace("T", " ") if full else row["send_by"][:10]
    return when + (" (missed)" if row["missed_send_window"] else "")


def _user(username: str, what: str) -> Any:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"{what}: no user named {username!r}")
    return user


def bulk_emails(opts: dict[str, Any]) -> list[str]:
    """The emails `asks open` names (the argument, each --email, the file's), lower-cased,
    each once, in the order given."""
    given = ([opts["email"]] if opts["email"] else []) + list(opts["emails"])
    if opts["contacts_file"]:
        try:
            with open(opts["contacts_file"], encoding="utf-8-sig") as handle:
                lines = handle.read().splitlines()
        except OSError as exc:
            raise CommandError(
                f"--contacts-file: {exc.strerror}: {opts['contacts_file']}"
            ) from None
        for line in lines:
            first = line.split(",")[0].strip().strip('"')
            if "@" in first:  # a header row or a blank line is not an email
                given.append(first)
    return list(dict.fromkeys(e.strip().lower() for e in given if e.strip()))


class Command(BaseCommand):
    help = (
        "List asks; move one, record a decline (offering the fallback) or give it an owner; "
        "pause, resume, apply the guards, suggest a replacement and reassign."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Asks, most urgent first.")
        listing.add_argument("--status", choices=AskStatus.values, help="Only this state.")
        listing.add_argument("--overdue", action="store_true", help="Only open asks past due.")
        listing.add_argument("--paused", action="store_true", help="Only paused asks.")
        listing.add_argument(
            "--missed-window",
            action="store_true",
            help="Only asks not sent by their send-by moment.",
        )
        ask_views.add_filters(listing)
        listing.add_argument("--view", help="Only the asks of this saved view (with --as).")
        listing.add_argument("--as", dest="as_user", help="Whose saved view --view names.")
        add_paging(listing, default=LIST_LIMIT)
        listing.add_argument("--json", action="store_true", help="Print one JSON object.")
        show = sub.add_parser("show", help="One ask: when it must be sent, when its answer is due.")
        show.add_argument("id", type=int)
        show.add_argument("--json", action="store_true", help="Print one JSON object.")
        opening = sub.add_parser(
            "open", help="Open an ask by hand; the rules and the tap caps hold as for plays."
        )
        opening.add_argument(
            "email", nargs="?", help="The contact's email (or --email, --contacts-file)."
        )
        opening.add_argument("ask_type", help="An ask type code: review, case_study…")
        opening.add_argument(
            "--email",
            dest="emails",
            action="append",
            default=[],
            metavar="EMAIL",
            help="Ask this contact too; repeat for several (a bulk ask).",
        )
        opening.add_argument(
            "--contacts-file",
            help="A file of emails, one a line (or a CSV whose first column is the email).",
        )
        opening.add_argument(
            "--override-reason",
            default="",
            help="Ask anyway, past the rules and the caps; recorded with who did it (needs --as).",
        )
        move = sub.add_parser("move", help="Move an ask to another state.")
        move.add_argument("id", type=int)
        move.add_argument("status", choices=AskStatus.values)
        decline = sub.add_parser("decline", help="Record a decline; offers the play's fallback.")
        decline.add_argument("id", type=int)
        assign = sub.add_parser(
            "assign", help="Give one ask or several to a user (each recorded as an event)."
        )
        assign.add_argument("id", type=int, nargs="+", help="The ids of the asks.")
        assign.add_argument("owner", help="The username of the new owner.")
        escalate = sub.add_parser(
            "escalate", help="Escalate open asks overdue past the grace period (once each)."
        )
        escalate.add_argument("--dry-run", action="store_true", help="Say what would happen.")
        escalate.add_argument(
            "--hours", type=int, help="Grace period in hours (default: the setting)."
        )
        escalate.add_argument("--json", action="store_true", help="Print one JSON object.")
        add_as_of(escalate, help="Escalate as of this date or date-time (default: now).")
        for p in (opening, move, decline, assign):
            p.add_argument("--note", default="", help="Recorded with the move.")
            p.add_argument("--as", dest="as_user", help="Record the move as this username.")
            p.add_argument("--json", action="store_true", help="Print one JSON object.")
            add_as_of(p)
        guard_actions.add_parsers(sub)
        ask_views.add_parsers(sub)

    def handle(self, *args: Any, **opts: Any) -> None:
        user = acting_user("asks", opts)  # refused before anything is looked up
        if opts["action"] == "views":
            ask_views.handle(self, opts, user)
        elif opts["action"] in guard_actions.ACTIONS:
            guard_actions.handle(self, opts)
        elif opts["action"] == "list":
            self.list_asks(opts, user)
        elif opts["action"] == "show":
            self.show(opts)
        elif opts["action"] == "escalate":
            self.escalate(opts)
        elif opts["action"] == "open":
            self.open_ask(opts)
        else:
            self.move(opts)

    def list_asks(self, opts: dict[str, Any], user: Any) -> None:
        now = timezone.now()
        asks = Ask.objects.select_related("contact", "ask_type", "owner")
        if opts["view"]:
            asks = ask_views.view_filter(user, opts["view"]).apply(asks, user=user, now=now)
        asks = ask_views.filter_of(opts).apply(asks, user=user, now=now)
        if opts["status"]:
            asks = asks.filter(status=opts["status"])
        if opts["overdue"]:
            asks = asks.overdue(now)
        if opts["paused"]:
            asks = asks.paused()
        if opts["missed_window"]:
            asks = asks.missed_send_window(now)
        found, where = page(asks.order_by("due_at", "-opened_at", "id"), opts)
        rows = [_row(a, now) for a in found]
        if opts["json"]:
            self.stdout.write(json.dumps({**where.as_dict(), "asks": rows}))
            return
        table = Table(title=where.caption("ask"))
        for column in ("id", "contact", "ask", "play", "status", "owner", "send by", "answer due"):
            table.add_column(column)
        # The table speaks words (the JSON keeps the codes): the plays' titles in one query.
        titles = dict(
            Play.objects.filter(name__in={a.play for a in found if a.play}).values_list(
                "name", "title"
            )
        )
        for a, r in zip(found, rows, strict=True):
            due = r["due_at"][:10] if r["due_at"] else "—"
            status = label(r["status"], "ask_status")
            table.add_row(
                str(r["id"]),
                r["email"],
                a.ask_type.name,
                label(r["play"], "play", titles) if r["play"] else "(by hand)",
                status + (f" (paused: {r['paused_reason']})" if r["paused_reason"] else ""),
                person(a.owner) or label(r["owner_role"], "role"),
                _send_by(r),
                due,
            )
        output_console(self.stdout).print(table)

    def show(self, opts: dict[str, Any]) -> None:
        ask = (
            Ask.objects.select_related("contact", "ask_type", "owner").filter(pk=opts["id"]).first()
        )
        if ask is None:
            raise CommandError(f"no ask with id {opts['id']}")
        row = _row(ask, timezone.now())
        if opts["json"]:
            self.stdout.write(json.dumps(row))
            return
        lines = [
            ("Ask", f"{row['id']}: {ask.ask_type.name} for {row['email']}"),
            ("Play", row["play"] or "(manual)"),
            ("Status", row["status"]),
            ("Owner", row["owner"] or row["owner_role"] or "—"),
            ("Opened", row["opened_at"][:16].replace("T", " ")),
            ("Send by", _send_by(row, full=True)),
            ("Sent", row["sent_at"][:16].replace("T", " ") if row["sent_at"] else "—"),
            ("Answer due", row["due_at"][:16].replace("T", " ") if row["due_at"] else "—"),
        ]
        if row["paused_reason"] is not None:
            lines.append(("Paused", row["paused_reason"] or "no reason given"))
        for name, value in lines:
            self.stdout.write(f"{name + ':':<12}{value}")

    def open_ask(self, opts: dict[str, Any]) -> None:
        actor = _user(opts["as_user"], "--as") if opts["as_user"] else None
        if opts["override_reason"] and actor is None:
            raise CommandError("--override-reason: say who overrides with --as USER")
        ask_type = AskType.objects.filter(code=opts["ask_type"], active=True).first()
        if ask_type is None:
            known = ", ".join(AskType.objects.filter(active=True).values_list("code", flat=True))
            raise CommandError(f"ask_type: unknown {opts['ask_type']!r}; known: {known}")
        emails = bulk_emails(opts)
        if not emails:
            raise CommandError("name a contact: EMAIL, --email EMAIL or --contacts-file FILE")
        if len(emails) > 1 or opts["emails"] or opts["contacts_file"]:
            if opts["override_reason"]:
                raise CommandError("--override-reason: one contact at a time, never in bulk")
            self.open_many(emails, ask_type, actor, opts)
            return
        contact = Contact.objects.filter(email=emails[0]).first()
        if contact is None:
            raise CommandError(f"no contact with the email {emails[0]!r}")
        try:
            ask = open_manual_ask(
                contact,
                ask_type,
                now=as_of(opts),
                actor=actor,
                policy=current_policy(),
                note=opts["note"],
                override_reason=opts["override_reason"],
            )
        except Excluded as exc:
            if opts["json"]:
                refused = [
                    {"code": c, "reason": n} for c, n in zip(exc.codes, exc.names, strict=True)
                ]
                self.stdout.write(json.dumps({"opened": None, "refused": refused}))
            raise CommandError(str(exc)) from None
        except CapExceeded as exc:
            if opts["json"]:
                refused = [{"code": exc.code, "reason": str(exc)}]
                self.stdout.write(json.dumps({"opened": None, "refused": refused}))
            raise CommandError(str(exc)) from None
        if opts["json"]:
            self.stdout.write(json.dumps({"opened": _row(ask, ask.opened_at), "refused": []}))
            return
        self.stdout.write(f"ask {ask.pk} opened: {ask_type.name} for {contact.email}")

    def open_many(
        self, emails: list[str], ask_type: AskType, actor: Any, opts: dict[str, Any]
    ) -> None:
        """A bulk ask: every contact named, through `ask_many`; each refusal with its reason."""
        found = {c.email: c for c in Contact.objects.filter(email__in=emails)}
        unknown = [e for e in emails if e not in found]
        if unknown:
            raise CommandError(f"no contact with the email(s): {', '.join(unknown)}")
        try:
            result = ask_many(
                [found[e] for e in emails],
                ask_type,
                now=as_of(opts),
                actor=actor,
                policy=current_policy(),
                note=opts["note"],
            )
        except TooMany as exc:
            raise CommandError(str(exc)) from None
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        emails_by_id = {c.pk: c.email for c in found.values()}
        self.stdout.write(
            f"{len(result.opened)} ask(s) opened: {ask_type.name}; {len(result.refused)} refused"
        )
        for ask in result.opened:
            self.stdout.write(f"  ask {ask.pk} opened for {emails_by_id[ask.contact_id]}")
        for refused in result.refused:
            self.stdout.write(f"  {refused.email} refused ({refused.code}): {refused.reason}")

    def escalate(self, opts: dict[str, Any]) -> None:
        if opts["hours"] is not None and opts["hours"] < 0:
            raise CommandError("--hours: expected 0 or more")
        result = escalate_overdue(now=as_of(opts), hours=opts["hours"], dry_run=opts["dry_run"])
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        verb = "would be escalated" if result.dry_run else "escalated"
        self.stdout.write(
            f"{len(result.escalated)} ask(s) {verb} (overdue by more than {result.grace_hours} h)"
        )
        for pk, who in sorted(result.escalated.items()):
            self.stdout.write(f"  ask {pk} → {who or 'nobody (no admin)'}")

    def move(self, opts: dict[str, Any]) -> None:
        actor = _user(opts["as_user"], "--as") if opts["as_user"] else None
        now = as_of(opts)
        if opts["action"] == "assign":
            self.assign(opts, actor, now)
            return
        ask = Ask.objects.filter(pk=opts["id"]).first()
        if ask is None:
            raise CommandError(f"no ask with id {opts['id']}")
        kwargs: dict[str, Any] = {
            "actor": actor,
            "now": now,
            "policy": current_policy(),
            "note": opts["note"],
        }
        try:
            if opts["action"] == "decline":
                result: MoveResult = decline_ask(ask, **kwargs)
            else:
                result = move_ask(ask, opts["status"], **kwargs)
        except InvalidTransition as exc:
            raise CommandError(str(exc)) from None
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        self.stdout.write(f"ask {ask.pk} is now {ask.status}")
        if ask.status == AskStatus.DECLINED:
            self.stdout.write(result.detail)

    def assign(self, opts: dict[str, Any], actor: Any, now: datetime) -> None:
        owner = _user(opts["owner"], "owner")
        ids = list(dict.fromkeys(opts["id"]))
        asks = list(Ask.objects.filter(pk__in=ids).order_by("pk"))
        missing = sorted(set(ids) - {a.pk for a in asks})
        if missing:
            raise CommandError(f"no ask with id {', '.join(map(str, missing))}")
        assign_asks(asks, owner, actor=actor, now=now, note=opts["note"])
        name = owner.get_username()
        if opts["json"]:
            if len(opts["id"]) == 1:
                self.stdout.write(json.dumps({"id": asks[0].pk, "owner": name}))
            else:
                self.stdout.write(json.dumps({"ids": [a.pk for a in asks], "owner": name}))
            return
        for ask in asks:
            self.stdout.write(f"ask {ask.pk} is now owned by {name}")
