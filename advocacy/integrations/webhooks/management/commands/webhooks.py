"""`advocacy webhooks add|list|show|remove|deliveries|redeliver`: outgoing webhooks."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from advocacy.integrations.webhooks.events import TYPES
from advocacy.integrations.webhooks.models import DeliveryStatus
from advocacy.integrations.webhooks.services import (
    WebhookError,
    add_endpoint,
    attempt_row,
    deliveries,
    delivery_row,
    get_delivery,
    get_endpoint,
    list_endpoints,
    redeliver,
    remove_endpoint,
)
from advocacy.people.management.acting import acting_user


class Command(BaseCommand):
    help = "Add, list, show and remove webhook endpoints; read the delivery log and redeliver."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("add", help="add an endpoint; print its secret (shown once)")
        add.add_argument("url", help="https://... (http only to this machine)")
        add.add_argument("--name", required=True, help="what the team calls it ('CRM')")
        add.add_argument(
            "--event", dest="events", action="append", default=[], metavar="TYPE",
            help="an event type to send (repeat for several; default: all): " + ", ".join(TYPES),
        )  # fmt: skip
        add.add_argument("--description", default="")
        listing = actions.add_parser("list", help="list endpoints (never their secrets)")
        listing.add_argument("--removed", action="store_true", help="include removed ones")
        show = actions.add_parser("show", help="one endpoint and its delivery counts")
        show.add_argument("endpoint", help="its name (or id)")
        remove = actions.add_parser("remove", help="stop sending to an endpoint; keep its log")
        remove.add_argument("endpoint", help="its name (or id)")
        log = actions.add_parser("deliveries", help="the delivery log, newest first")
        log.add_argument("--endpoint", help="only this endpoint's (name or id)")
        log.add_argument("--status", choices=DeliveryStatus.values)
        log.add_argument("--event", dest="event_type", choices=list(TYPES))
        log.add_argument("--id", dest="delivery_id", type=int, help="one delivery, with its log")
        log.add_argument("--limit", type=int, default=50)
        log.add_argument("--offset", type=int, default=0)
        again = actions.add_parser("redeliver", help="send delivered or failed deliveries again")
        again.add_argument("ids", nargs="+", type=int, help="delivery ids")
        for p in (add, listing, show, remove, log, again):
            p.add_argument("--json", action="store_true", help="print JSON")
            p.add_argument("--as", dest="as_user", help="Act as this username.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = acting_user("webhooks", options)
        try:
            getattr(self, f"_{options['action']}")(options, actor)
        except WebhookError as exc:
            raise CommandError(str(exc)) from exc

    def _out(self, options: dict[str, Any], data: Any, text: str) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2, cls=DjangoJSONEncoder))
        else:
            self.stdout.write(text)

    def _add(self, options: dict[str, Any], actor: Any) -> None:
        endpoint, secret = add_endpoint(
            options["name"],
            options["url"],
            options["events"] or list(TYPES),
            description=options["description"],
            actor=actor,
            now=timezone.now(),
        )
        view = get_endpoint(endpoint.pk).as_dict() | {"secret": secret}
        text = (
            f"{secret}\n"
            f"Endpoint {endpoint.name!r} sends {', '.join(endpoint.events)} to {endpoint.url}, "
            "signed with this secret (Standard Webhooks). Store it now: it cannot be shown again."
        )
        self._out(options, view, text)

    def _list(self, options: dict[str, Any], actor: Any) -> None:
        views = [v.as_dict() for v in list_endpoints(include_removed=options["removed"])]
        if options["json"]:
            self._out(options, views, "")
            return
        if not views:
            self.stdout.write("no webhook endpoints yet: add one with `advocacy webhooks add`")
            return
        self.stdout.write(f"{'ID':>4} {'NAME':<20} {'QUEUED':>6} {'SENT':>6} {'FAILED':>6}  URL")
        for v in views:
            c = v["deliveries"]
            gone = "  (removed)" if v["removed_at"] else ""
            self.stdout.write(
                f"{v['id']:>4} {v['name'][:20]:<20} {c['queued'] + c['sending']:>6} "
                f"{c['delivered']:>6} {c['failed']:>6}  {v['url']}{gone}"
            )

    def _show(self, options: dict[str, Any], actor: Any) -> None:
        view = get_endpoint(options["endpoint"]).as_dict()
        lines = [f"{k}: {v}" for k, v in view.items()]
        self._out(options, view, "\n".join(lines))

    def _remove(self, options: dict[str, Any], actor: Any) -> None:
        changed = remove_endpoint(options["endpoint"], actor=actor, now=timezone.now())
        word = "removed: nothing more is sent to it" if changed else "was already removed"
        self._out(options, {"removed": changed}, f"endpoint {options['endpoint']!r} {word}")

    def _deliveries(self, options: dict[str, Any], actor: Any) -> None:
        if options["delivery_id"] is not None:
            found, log = get_delivery(options["delivery_id"])
            data = delivery_row(found) | {
                "payload": found.event.payload,
                "attempts_log": [attempt_row(a) for a in log],
            }
            lines = [f"{k}: {v}" for k, v in delivery_row(found).items()]
            lines += [
                f"  {a.at:%Y-%m-%d %H:%M:%S} {a.status_code or '-':>3} {a.duration_ms:>5} ms"
                + (f"  {a.error}" if a.error else "")
                for a in log
            ]
            self._out(options, data, "\n".join(lines))
            return
        rows = deliveries(
            endpoint=options["endpoint"],
            status=options["status"],
            event_type=options["event_type"],
            limit=options["limit"],
            offset=options["offset"],
        )
        if options["json"]:
            self._out(options, [delivery_row(d) for d in rows], "")
            return
        if not rows:
            self.stdout.write("no deliveries")
            return
        for d in rows:
            self.stdout.write(
                f"{d.pk:>6} {d.created_at:%Y-%m-%d %H:%M:%S} {d.endpoint.name[:16]:<16} "
                f"{d.event.type:<18} {d.status:<9} attempts {d.attempts}"
                + (f"  {d.error}" if d.error else "")
            )

    def _redeliver(self, options: dict[str, Any], actor: Any) -> None:
        outcome = redeliver(options["ids"], actor=actor, now=timezone.now())
        data = {
            "queued": outcome.queued,
            "refused": {str(k): v for k, v in outcome.refused.items()},
        }
        lines = [f"{len(outcome.queued)} queued again: the worker sends them at its next pass"]
        lines += [f"  {pk}: {why}" for pk, why in outcome.refused.items()]
        self._out(options, data, "\n".join(lines))
        if not outcome.queued:
            raise CommandError("nothing was queued again")
