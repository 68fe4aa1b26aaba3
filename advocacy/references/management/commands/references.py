"""advocacy references file|list|show|match|offer|respond|times|schedule|reschedule|invite|
outcome|result|close|stats|refresh: the reference desk from the command line."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from advocacy.core.labels import label
from advocacy.core.management.clock import add_as_of, as_of
from advocacy.core.management.output import output_console
from advocacy.core.management.paging import add_paging, page
from advocacy.customers.models import Contact, Region, SizeBand
from advocacy.engine.asks import CapExceeded
from advocacy.engine.services import Excluded, current_policy
from advocacy.people.management.acting import acting_user
from advocacy.pipeline.services import InvalidTransition
from advocacy.references import services as desk
from advocacy.references.invite import invite
from advocacy.references.models import (
    CallOutcome,
    Offer,
    OpportunityResult,
    ReferenceCall,
    ReferenceRequest,
    RequestFormat,
    RequestStatus,
)
from advocacy.references.pool import refresh_pool
from advocacy.references.stats import desk_stats
from advocacy.references.times import offer_times


def request_row(r: ReferenceRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "opportunity": r.opportunity,
        "prospect_company": r.prospect_company,
        "industry": r.industry,
        "region": r.region,
        "size_band": r.size_band,
        "products": r.products,
        "use_case": r.use_case,
        "needed_by": r.needed_by.isoformat(),
        "format": r.format,
        "status": r.status,
        "result": r.result,
        "filed_at": r.filed_at.isoformat(),
        "filled_at": r.filled_at.isoformat() if r.filled_at else None,
    }


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"expected a date YYYY-MM-DD, found {value!r}") from None


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"expected a moment YYYY-MM-DDTHH:MM, found {value!r}") from None
    return moment if moment.tzinfo else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "The reference desk: file requests, match, offer, schedule calls, record outcomes."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        f = sub.add_parser("file", help="File a reference request.")
        f.add_argument("--opportunity", required=True)
        f.add_argument("--prospect", required=True, help="The prospect's company.")
        f.add_argument("--industry", required=True)
        f.add_argument("--needed-by", required=True, help="YYYY-MM-DD")
        f.add_argument("--region", choices=Region.values, default="")
        f.add_argument("--size-band", choices=SizeBand.values, default="")
        f.add_argument("--product", action="append", default=[], help="Repeat for several.")
        f.add_argument("--use-case", default="")
        f.add_argument("--format", choices=RequestFormat.values, default=RequestFormat.CALL)
        f.add_argument("--opportunity-ref", default="")
        f.add_argument("--amount", default="")
        f.add_argument("--prospect-contact", action="append", default=[], help="An email.")
        f.add_argument("--notes", default="")
        ls = sub.add_parser("list", help="Requests, soonest needed first.")
        ls.add_argument("--status", choices=RequestStatus.values)
        add_paging(ls, default=200)
        show = sub.add_parser("show", help="One request with its offers and calls.")
        show.add_argument("id", type=int)
        match = sub.add_parser("match", help="Ranked candidates for a request, with reasons.")
        match.add_argument("id", type=int)
        match.add_argument("--limit", type=int, default=10)
        offer = sub.add_parser("offer", help="Offer a request to a candidate (opens an ask).")
        offer.add_argument("id", type=int)
        offer.add_argument("email")
        respond = sub.add_parser("respond", help="Record the advocate's answer to an offer.")
        respond.add_argument("offer", type=int)
        respond.add_argument("answer", choices=("accept", "decline"))
        times = sub.add_parser(
            "times", help="Offer the advocate of an accepted offer times to choose from."
        )
        times.add_argument("offer", type=int)
        times.add_argument(
            "--at", required=True, action="append", default=None,
            help="YYYY-MM-DDTHH:MM (local time); repeat for up to 5 times.",
        )  # fmt: skip
        times.add_argument("--minutes", type=int, default=20)
        schedule = sub.add_parser("schedule", help="Schedule the call of an accepted offer.")
        schedule.add_argument("offer", type=int)
        schedule.add_argument("--at", required=True, help="YYYY-MM-DDTHH:MM (local time)")
        schedule.add_argument("--minutes", type=int, default=20)
        schedule.add_argument(
            "--with", dest="also", type=int, action="append", default=[],
            help="Another open request for a group call (up to 3 more).",
        )  # fmt: skip
        schedule.add_argument("--output", help="Write the calendar invite to this .ics file.")
        move = sub.add_parser(
            "reschedule", help="Move a scheduled call: the invite goes again to everyone."
        )
        move.add_argument("call", type=int)
        move.add_argument("--at", required=True, help="YYYY-MM-DDTHH:MM (local time)")
        move.add_argument("--minutes", type=int, help="A new length (default: as it was).")
        ics = sub.add_parser("invite", help="Write a call's calendar invite (.ics).")
        ics.add_argument("call", type=int)
        ics.add_argument("--output", required=True, help="The .ics file to write ('-': stdout).")
        outcome = sub.add_parser("outcome", help="Record how a call went.")
        outcome.add_argument("call", type=int)
        outcome.add_argument("outcome", choices=[o for o in CallOutcome.values if o != "scheduled"])
        outcome.add_argument("--rating", type=int)
        result = sub.add_parser("result", help="Record the opportunity's result.")
        result.add_argument("id", type=int)
        result.add_argument("result", choices=OpportunityResult.values)
        close = sub.add_parser("close", help="Close a request as unfilled or cancelled.")
        close.add_argument("id", type=int)
        close.add_argument("status", choices=(RequestStatus.UNFILLED, RequestStatus.CANCELLED))
        stats = sub.add_parser("stats", help="Fill rate and time-to-fill per segment.")
        stats.add_argument("--days", type=int, default=90, help="The period: the last N days.")
        refresh = sub.add_parser("refresh", help="Rewrite the pool of reference-ready advocates.")
        for p in (f, offer, respond, times, schedule, move, outcome, result, close):
            p.add_argument("--as", dest="as_user", help="Act as this username.")
            add_as_of(p)
        add_as_of(stats, help="The last N days up to this date or date-time (default: now).")
        add_as_of(refresh, help="Whom the pool holds as of this date or date-time (default: now).")
        for p in (respond, outcome):
            p.add_argument("--note", default="")
        for p in (
            f,
            ls,
            show,
            match,
            offer,
            respond,
            times,
            schedule,
            move,
            outcome,
            result,
            close,
            stats,
            refresh,
        ):
            p.add_argument("--json", action="store_true", help="Print one JSON object.")

    def console(self) -> Console:
        return output_console(self.stdout)

    def actor(self, opts: dict[str, Any]) -> Any:
        name = opts.get("as_user")
        users = get_user_model().objects
        if name:
            user = users.filter(username=name).first()
            if user is None:
                raise CommandError(f"--as: no user named {name!r}")
            return user
        user = users.filter(is_active=True, role="admin").order_by("pk").first()
        if user is None:
            raise CommandError("give --as USERNAME: the desk acts as a user")
        return user

    def out(self, opts: dict[str, Any], data: Any, text: str) -> None:
        self.stdout.write(json.dumps(data) if opts.get("json") else text)

    def handle(self, *args: Any, **opts: Any) -> None:
        acting_user("references", opts)  # refused before anything is looked up
        action = opts["action"]
        try:
            getattr(self, f"do_{action}")(opts)
        except (desk.DeskError, CapExceeded, Excluded, InvalidTransition) as exc:
            raise CommandError(str(exc)) from None

    def _request(self, pk: int) -> ReferenceRequest:
        found = ReferenceRequest.objects.filter(pk=pk).first()
        if found is None:
            raise CommandError(f"no reference request with id {pk}")
        return found

    def _offer(self, pk: int) -> Offer:
        found = Offer.objects.select_related("request", "ask").filter(pk=pk).first()
        if found is None:
            raise CommandError(f"no offer with id {pk}")
        return found

    def _call(self, pk: int) -> ReferenceCall:
        found = ReferenceCall.objects.select_related(
            "contact__account", "organizer"
        ).prefetch_related("requests__requested_by")
        call = found.filter(pk=pk).first()
        if call is None:
            raise CommandError(f"no reference call with id {pk}")
        return call

    def do_file(self, opts: dict[str, Any]) -> None:
        try:
            amount = Decimal(opts["amount"]) if opts["amount"] else None
        except InvalidOperation:
            raise CommandError(f"--amount: not a number: {opts['amount']!r}") from None
        data = desk.RequestData(
            opportunity=opts["opportunity"], prospect_company=opts["prospect"],
            industry=opts["industry"], needed_by=_date(opts["needed_by"]),
            opportunity_ref=opts["opportunity_ref"], amount=amount, size_band=opts["size_band"],
            region=opts["region"], products=opts["product"], use_case=opts["use_case"],
            format=opts["format"], prospect_contacts=opts["prospect_contact"], notes=opts["notes"],
        )  # fmt: skip
        made = desk.file_request(data, actor=self.actor(opts), now=as_of(opts))
        self.out(opts, request_row(made), f"filed reference request {made.pk}: {made}")

    def do_list(self, opts: dict[str, Any]) -> None:
        qs = ReferenceRequest.objects.all()
        if opts["status"]:
            qs = qs.filter(status=opts["status"])
        found, where = page(qs.order_by("needed_by", "id"), opts)
        rows = [request_row(r) for r in found]
        if opts["json"]:
            self.stdout.write(json.dumps({**where.as_dict(), "requests": rows}))
            return
        table = Table(title=where.caption("reference request"))
        for column in ("id", "opportunity", "prospect", "segment", "needed by", "status"):
            table.add_column(column)
        for r in rows:
            segment = " / ".join(x for x in (r["industry"], r["region"], r["size_band"]) if x)
            table.add_row(
                str(r["id"]), r["opportunity"], r["prospect_company"], segment,
                r["needed_by"], r["status"],
            )  # fmt: skip
        self.console().print(table)

    def do_show(self, opts: dict[str, Any]) -> None:
        r = self._request(opts["id"])
        offers = [
            {"id": o.pk, "email": o.contact.email, "status": o.status, "ask_id": o.ask_id}
            for o in r.offers.select_related("contact")
        ]
        calls = [
            {"id": c.pk, "starts_at": c.starts_at.isoformat(), "outcome": c.outcome}
            for c in r.calls.all()
        ]
        data = {**request_row(r), "offers": offers, "calls": calls}
        lines = [f"request {r.pk}: {r} · {r.status}"]
        lines += [f"  offer {o['id']}: {o['email']} {o['status']}" for o in offers]
        lines += [f"  call {c['id']}: {c['starts_at']} {c['outcome']}" for c in calls]
        self.out(opts, data, "\n".join(lines))

    def do_match(self, opts: dict[str, Any]) -> None:
        r = self._request(opts["id"])
        found = desk.candidates(r, now=as_of(opts), policy=current_policy(), limit=opts["limit"])
        if opts["json"]:
            self.stdout.write(
                json.dumps({"request": r.pk, "candidates": [c.as_dict() for c in found]})
            )
            return
        table = Table(title=f"{len(found)} candidate(s) for request {r.pk}: {r}")
        for column in ("#", "contact", "account", "score", "why"):
            table.add_column(column)
        for i, c in enumerate(found, 1):
            table.add_row(str(i), c.email, c.account, str(c.score), "; ".join(c.reasons))
        self.console().print(table)

    def do_offer(self, opts: dict[str, Any]) -> None:
        r = self._request(opts["id"])
        contact = Contact.objects.filter(email=opts["email"].strip().lower()).first()
        if contact is None:
            raise CommandError(f"no contact with email {opts['email']!r}")
        made = desk.offer(
            r, contact, actor=self.actor(opts), now=as_of(opts), policy=current_policy()
        )
        data = {"offer": made.pk, "ask": made.ask_id, "request": r.pk, "status": r.status}
        self.out(opts, data, f"offer {made.pk}: {contact.email} asked (ask {made.ask_id})")

    def do_respond(self, opts: dict[str, Any]) -> None:
        made = self._offer(opts["offer"])
        accepted = opts["answer"] == "accept"
        desk.respond(
            made, accepted, actor=self.actor(opts), now=as_of(opts),
            policy=current_policy(), note=opts["note"],
        )  # fmt: skip
        made.request.refresh_from_db()
        data = {"offer": made.pk, "status": made.status, "request_status": made.request.status}
        self.out(opts, data, f"offer {made.pk} {made.status}; request is {made.request.status}")

    def do_times(self, opts: dict[str, Any]) -> None:
        made = self._offer(opts["offer"])
        slots = offer_times(
            made, [_moment(at) for at in opts["at"]], duration_minutes=opts["minutes"],
            actor=self.actor(opts), now=as_of(opts),
        )  # fmt: skip
        data = {
            "offer": made.pk,
            "times": [{"id": s.pk, "starts_at": s.starts_at.isoformat()} for s in slots],
        }
        text = "; ".join(s.starts_at.isoformat() for s in slots)
        self.out(opts, data, f"offered to the advocate to choose from: {text}")

    def do_schedule(self, opts: dict[str, Any]) -> None:
        made = self._offer(opts["offer"])
        also = [self._request(pk) for pk in opts["also"]]
        now = as_of(opts)
        call = desk.schedule_call(
            made, starts_at=_moment(opts["at"]), duration_minutes=opts["minutes"], also=also,
            actor=self.actor(opts), now=now,
        )  # fmt: skip
        if opts["output"]:
            Path(opts["output"]).write_bytes(invite(call, now=now))
        data = {"call": call.pk, "uid": call.uid, "requests": [made.request_id, *opts["also"]]}
        text = f"call {call.pk} scheduled at {call.starts_at.isoformat()}"
        self.out(
            opts, data, text + (f"; invite written to {opts['output']}" if opts["output"] else "")
        )

    def do_reschedule(self, opts: dict[str, Any]) -> None:
        call = desk.reschedule_call(
            self._call(opts["call"]), starts_at=_moment(opts["at"]),
            duration_minutes=opts["minutes"], actor=self.actor(opts), now=as_of(opts),
        )  # fmt: skip
        data = {"call": call.pk, "starts_at": call.starts_at.isoformat(), "sequence": call.sequence}
        text = f"call {call.pk} moved to {call.starts_at.isoformat()}: the invite goes again"
        self.out(opts, data, text)

    def do_invite(self, opts: dict[str, Any]) -> None:
        body = invite(self._call(opts["call"]), now=as_of(opts))
        if opts["output"] == "-":
            self.stdout.write(body.decode(), ending="")
        else:
            Path(opts["output"]).write_bytes(body)
            self.stdout.write(f"invite written to {opts['output']}")

    def do_outcome(self, opts: dict[str, Any]) -> None:
        call = self._call(opts["call"])
        desk.record_outcome(
            call, opts["outcome"], rating=opts["rating"], notes=opts["note"],
            actor=self.actor(opts), now=as_of(opts), policy=current_policy(),
        )  # fmt: skip
        self.out(
            opts, {"call": call.pk, "outcome": call.outcome}, f"call {call.pk}: {call.outcome}"
        )

    def do_result(self, opts: dict[str, Any]) -> None:
        r = desk.record_result(self._request(opts["id"]), opts["result"], now=as_of(opts))
        self.out(opts, request_row(r), f"request {r.pk}: opportunity {r.result}")

    def do_close(self, opts: dict[str, Any]) -> None:
        r = desk.close_request(self._request(opts["id"]), opts["status"], now=as_of(opts))
        self.out(opts, request_row(r), f"request {r.pk} is now {r.status}")

    def do_stats(self, opts: dict[str, Any]) -> None:
        now = as_of(opts)
        stats = desk_stats(start=now - timedelta(days=opts["days"]), end=now, now=now)
        if opts["json"]:
            self.stdout.write(json.dumps(stats.as_dict()))
            return
        table = Table(
            title=f"Fill rate, last {opts['days']} days (alert under {stats.threshold:.0%})"
        )
        for column in ("segment", "filed", "filled", "pending", "fill rate", "median h", "alert"):
            table.add_column(column)
        for s in [stats.overall, *stats.segments]:
            rate = "—" if s.fill_rate is None else f"{s.fill_rate:.0%}"
            hours = "—" if s.median_hours is None else f"{s.median_hours:g}"
            name = s.label if s.dimension == "all" else f"{label(s.dimension)}: {s.label}"
            table.add_row(
                name, str(s.filed), str(s.filled), str(s.pending), rate, hours,
                "ALERT" if s.alert(stats.threshold) else "",
            )  # fmt: skip
        self.console().print(table)
        for line in stats.as_dict()["alerts"]:
            self.stdout.write(f"ALERT {line}")

    def do_refresh(self, opts: dict[str, Any]) -> None:
        count = refresh_pool(now=as_of(opts), policy=current_policy())
        self.out(opts, {"rows": count}, f"{count} reference-ready advocate row(s) written")
