"""advocacy outbox list|show|steps|events|folder|preview|test|retry|deliver: the emails to
advocates, the steps of asks' channel sequences, the product events feed and the mail folder."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.table import Table

from advocacy.core.management.clock import add_as_of, as_of
from advocacy.core.management.output import output_console
from advocacy.messaging import mailfolder
from advocacy.messaging.delivery import deliver_due, status_counts
from advocacy.messaging.models import Channel, Message, MessageStatus
from advocacy.messaging.product import event_out, feed
from advocacy.messaging.services import (
    MessagingError,
    attempts_of,
    listing,
    preview,
    send_again,
    send_test,
    steps_of,
    with_related,
)
from advocacy.people.management.acting import acting_user
from advocacy.pipeline.models import Ask


def message_row(m: Message) -> dict[str, Any]:
    return {
        "id": m.pk,
        "kind": m.kind,
        "channel": m.channel,
        "step": m.step,
        "status": m.status,
        "ask_id": m.ask_id,
        "contact_id": m.contact_id,
        "notice_id": m.notice_id,
        "to": m.to_address or m.to_email or (m.contact.email if m.contact else ""),
        "subject": m.subject,
        "message_id": m.message_id,
        "created_at": m.created_at.isoformat(),
        "due_at": m.due_at.isoformat(),
        "sent_at": m.sent_at.isoformat() if m.sent_at else None,
        "attempts": m.attempts,
        "reason_code": m.reason_code,
        "reason": m.reason,
    }


class Command(BaseCommand):
    help = "The outbox: emails to advocates, their state, previews, tests and delivery."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing_ = sub.add_parser("list", help="Messages, newest first.")
        listing_.add_argument("--status", choices=MessageStatus.values)
        listing_.add_argument("--ask", type=int, help="Only this ask's.")
        listing_.add_argument("--channel", choices=Channel.values, help="email or in_app.")
        listing_.add_argument("--limit", type=int, default=100)
        show = sub.add_parser("show", help="One message and its attempts.")
        show.add_argument("id", type=int)
        steps = sub.add_parser("steps", help="An ask's channel sequence and what came of it.")
        steps.add_argument("ask", type=int)
        events = sub.add_parser("events", help="The product events feed (in-product reminders).")
        events.add_argument("--since", type=int, default=0, help="The last event id read.")
        events.add_argument("--limit", type=int, default=100)
        events.add_argument("--as", dest="as_user", help="Act as this username.")
        folder = sub.add_parser(
            "folder",
            help="The emails written as files (ADVOCACY_EMAIL_URL=file://…), newest first.",
        )
        folder.add_argument("key", nargs="?", default="", help="One email, by its key.")
        folder.add_argument("--limit", type=int, default=20)
        folder.add_argument("--as", dest="as_user", help="Act as this username.")
        prev = sub.add_parser("preview", help="The email an ask sends, as it would go now.")
        prev.add_argument("ask", type=int)
        prev.add_argument("--kind", default="ask", choices=["ask", "invite", "reminder", "thanks"])
        prev.add_argument("--html", action="store_true", help="Print the HTML part.")
        test = sub.add_parser("test", help="Send a test of an ask's email to yourself now.")
        test.add_argument("ask", type=int)
        test.add_argument("--to", default="", help="The address (default: --as's email).")
        retry = sub.add_parser("retry", help="Send failed messages again.")
        retry.add_argument("ids", type=int, nargs="+")
        deliver = sub.add_parser("deliver", help="Deliver what is due now (and exit).")
        deliver.add_argument("--loop", action="store_true", help="Keep delivering until stopped.")
        deliver.add_argument("--interval", type=float, default=5.0)
        deliver.add_argument("--worker-id", default="")
        for p in (listing_, show, steps, events, folder, prev, test, retry, deliver):
            p.add_argument("--json", action="store_true", help="Print one JSON object.")
        for p in (test, retry):
            p.add_argument("--as", dest="as_user", help="Act as this username.")
            add_as_of(p)
        add_as_of(deliver, "Deliver as of this moment (default: now).")
        add_as_of(steps)

    def handle(self, *args: Any, **opts: Any) -> None:
        self.user = acting_user("outbox", opts)  # refused before anything is looked up
        try:
            getattr(self, f"do_{opts['action']}")(opts)
        except MessagingError as exc:
            raise CommandError(str(exc)) from None

    def _ask(self, pk: int) -> Ask:
        ask = (
            Ask.objects.select_related("contact__account__owner", "ask_type", "owner")
            .filter(pk=pk)
            .first()
        )
        if ask is None:
            raise CommandError(f"no ask with id {pk}")
        return ask

    def _json(self, value: Any) -> None:
        self.stdout.write(json.dumps(value))

    def do_list(self, opts: dict[str, Any]) -> None:
        rows = [
            message_row(m)
            for m in listing(
                status=opts["status"] or "", ask_id=opts["ask"], channel=opts["channel"] or ""
            )[: opts["limit"]]
        ]
        if opts["json"]:
            self._json({"counts": status_counts(), "messages": rows})
            return
        counts = status_counts()
        tally = ", ".join(
            f"{counts.get(s, 0)} {label.lower()}" for s, label in MessageStatus.choices
        )
        table = Table(title=f"{len(rows)} message(s); in all: {tally}")
        for column in ("id", "kind", "status", "to", "subject", "due", "why"):
            table.add_column(column)
        for r in rows:
            table.add_row(
                str(r["id"]), r["kind"], r["status"], r["to"], r["subject"] or "—",
                r["due_at"][:16], r["reason"] or "",
            )  # fmt: skip
        output_console(self.stdout).print(table)

    def do_show(self, opts: dict[str, Any]) -> None:
        m = with_related(Message.objects.filter(pk=opts["id"])).first()
        if m is None:
            raise CommandError(f"no message with id {opts['id']}")
        attempts: list[dict[str, Any]] = [
            {"at": a.at.isoformat(), "result": a.result, "smtp_code": a.smtp_code, "error": a.error}
            for a in attempts_of(m)
        ]
        if opts["json"]:
            self._json({**message_row(m), "attempts": attempts})
            return
        row, status = message_row(m), m.get_status_display().lower()
        self.stdout.write(f"message {m.pk}: {m.get_kind_display()} to {row['to']}, {status}")
        if m.reason:
            self.stdout.write(f"  why: {m.reason}")
        self.stdout.write(f"  Message-ID: {m.message_id}")
        for a in attempts:
            code = f" {a['smtp_code']}" if a["smtp_code"] else ""
            self.stdout.write(f"  {a['at'][:19]} {a['result']}{code} {a['error']}".rstrip())

    def do_steps(self, opts: dict[str, Any]) -> None:
        ask = self._ask(opts["ask"])
        rows: list[dict[str, Any]] = [
            {
                "number": st.number,
                "channel": st.channel,
                "after_hours": st.after_hours,
                "due_at": st.due_at.isoformat() if st.due_at else None,
                "message_id": st.message.pk if st.message is not None else None,
                "status": st.status,
                "state": st.state,
            }
            for st in steps_of(ask, now=as_of(opts))
        ]
        if opts["json"]:
            self._json({"ask_id": ask.pk, "steps": rows})
            return
        for st in rows:
            after = f"{st['after_hours']} h after the first email" if st["number"] > 1 else "first"
            self.stdout.write(f"{st['number']}. {st['channel']} ({after}): {st['state']}")

    def do_folder(self, opts: dict[str, Any]) -> None:
        if not mailfolder.enabled():
            raise CommandError(
                "emails go to a mail server here, not to a folder "
                "(ADVOCACY_EMAIL_URL=file:///a/folder keeps them as files)"
            )
        if opts["key"]:
            entry = mailfolder.entry(opts["key"])
            if entry is None:
                raise CommandError(f"no email {opts['key']!r} in {mailfolder.folder()}")
            if opts["json"]:
                self._json(entry.as_dict(bodies=True))
                return
            for name, value in (("From", entry.sender), ("To", entry.to), ("Date", entry.date),
                                ("Subject", entry.subject)):  # fmt: skip
                self.stdout.write(f"{name}: {value}")
            self.stdout.write("")
            self.stdout.write(entry.text)
            return
        entries = mailfolder.entries(max(1, min(opts["limit"], 500)))
        if opts["json"]:
            self._json(
                {"folder": str(mailfolder.folder()), "emails": [e.as_dict() for e in entries]}
            )
            return
        table = Table(title=f"{len(entries)} email(s) in {mailfolder.folder()}, newest first")
        for column in ("key", "to", "subject", "date"):
            table.add_column(column)
        for e in entries:
            table.add_row(e.key, e.to, e.subject, e.date[:16])
        output_console(self.stdout).print(table)

    def do_events(self, opts: dict[str, Any]) -> None:
        events = feed(opts["since"], max(1, min(opts["limit"], 500)))
        rows = [event_out(e) for e in events]
        next_cursor = events[-1].pk if events else opts["since"]
        if opts["json"]:
            self._json({"events": rows, "next": next_cursor})
            return
        for e in rows:
            who = e["contact"]["email"]
            self.stdout.write(
                f"{e['id']} {e['occurred_at'][:16]} {e['type']} for {who}: {e['text']}"
            )
        self.stdout.write(f"{len(rows)} event(s); next: --since {next_cursor}")

    def do_preview(self, opts: dict[str, Any]) -> None:
        r = preview(self._ask(opts["ask"]), kind=opts["kind"])
        if opts["json"]:
            self._json(
                {
                    "subject": r.subject,
                    "from": r.from_header,
                    "to": r.to,
                    "headers": r.headers,
                    "text": r.text,
                    "html": r.html,
                }
            )
            return
        self.stdout.write(f"From: {r.from_header}\nTo: {r.to}\nSubject: {r.subject}\n")
        self.stdout.write(r.html if opts["html"] else r.text)

    def do_test(self, opts: dict[str, Any]) -> None:
        m = send_test(self._ask(opts["ask"]), actor=self.user, now=as_of(opts), to=opts["to"])
        if opts["json"]:
            self._json(message_row(m))
            return
        if m.status == MessageStatus.SENT:
            self.stdout.write(f"test sent to {m.to_email}: {m.subject}")
        else:
            self.stdout.write(
                f"test to {m.to_email} not sent: {m.get_status_display().lower()}, {m.reason}"
            )

    def do_retry(self, opts: dict[str, Any]) -> None:
        count = send_again(opts["ids"], now=as_of(opts))
        if opts["json"]:
            self._json({"queued": count})
            return
        self.stdout.write(f"{count} message(s) queued again")

    def do_deliver(self, opts: dict[str, Any]) -> None:
        fixed = as_of(opts) if opts.get("as_of") else None
        while True:
            report = deliver_due(now=fixed, worker_id=opts["worker_id"])
            if opts["json"]:
                self._json(report.as_dict())
            elif report.batches or not opts["loop"]:
                self.stdout.write(f"outbox: {report}")
            if not opts["loop"]:
                return
            time.sleep(max(0.1, opts["interval"]))
