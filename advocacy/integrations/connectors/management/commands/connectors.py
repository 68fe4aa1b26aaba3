"""`advocacy connectors add|list|show|remove|replay|inbox|rejected|sync`: connections, their
inbox, and the sync of CRM connections."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from advocacy.core.management.progress import progress_bar
from advocacy.integrations.connectors import registry
from advocacy.integrations.connectors.crm import CrmError, run_summary, sync
from advocacy.integrations.connectors.models import (
    InboxRequest,
    InboxStatus,
    RejectedRequest,
    WriteBackStatus,
)
from advocacy.integrations.connectors.services import (
    ConnectorError,
    add_connection,
    get_connection,
    inbox,
    list_connections,
    parse_options,
    rejected,
    remove_connection,
    replay,
)
from advocacy.integrations.connectors.writeback import write_back_row, write_backs
from advocacy.people.management.acting import acting_user


def inbox_row(r: InboxRequest, *, body: bool = False) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": r.pk,
        "connection": r.connection.name,
        "event_id": r.event_id,
        "received_at": r.received_at.isoformat(),
        "status": r.status,
        "error": r.error,
        "attempts": r.attempts,
        "created": r.created,
        "revised": r.revised,
        "unchanged": r.unchanged,
        "skipped": r.skipped,
    }
    if body:
        row |= {"headers": r.headers, "body": r.body_text()}
    return row


def rejected_row(r: RejectedRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "connection": r.connection.name,
        "received_at": r.received_at.isoformat(),
        "reason": r.reason,
        "body_bytes": r.body_bytes,
    }


class Command(BaseCommand):
    help = "Add, list, show and remove connections; list their inbox and replay it."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("add", help="add a connection; print its url (shown once)")
        add.add_argument("kind", choices=sorted(registry.KINDS), metavar="KIND")
        add.add_argument("--name", required=True, help="what the team calls it ('NPS survey')")
        add.add_argument("--secret", default="", help="the vendor's signing secret")
        add.add_argument(
            "--option", dest="options", action="append", default=[], metavar="KEY=VALUE",
            help="a setting of the connector; repeat for several",
        )  # fmt: skip
        listing = actions.add_parser("list", help="list connections (never their secrets)")
        listing.add_argument("--removed", action="store_true", help="include removed ones")
        show = actions.add_parser("show", help="one connection and its inbox counts")
        show.add_argument("name")
        remove = actions.add_parser("remove", help="stop a connection's url; keep its inbox")
        remove.add_argument("name")
        again = actions.add_parser("replay", help="map stored requests to signals again")
        again.add_argument("ids", nargs="*", type=int, help="inbox ids (default: all matching)")
        again.add_argument("--name", help="only this connection's requests")
        again.add_argument("--status", choices=InboxStatus.values, help="only these")
        box = actions.add_parser("inbox", help="the requests received, newest first")
        box.add_argument("--name", help="only this connection's requests")
        box.add_argument("--status", choices=InboxStatus.values)
        box.add_argument("--limit", type=int, default=50)
        box.add_argument("--body", action="store_true", help="with headers and body")
        refused = actions.add_parser("rejected", help="requests refused for their signature")
        refused.add_argument("--name")
        refused.add_argument("--limit", type=int, default=50)
        pull = actions.add_parser(
            "sync", help="sync a CRM connection from its cursors (accounts, contacts, deals)"
        )
        pull.add_argument("name")
        back = actions.add_parser("write-backs", help="what was written back to the CRMs")
        back.add_argument("--name", help="only this connection's")
        back.add_argument("--status", choices=WriteBackStatus.values)
        back.add_argument("--limit", type=int, default=50)
        for p in (add, listing, show, remove, again, box, refused, pull, back):
            p.add_argument("--json", action="store_true", help="print JSON")
            p.add_argument("--as", dest="as_user", help="Act as this username.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = acting_user("connectors", options)
        try:
            getattr(self, f"_{options['action'].replace('-', '_')}")(options, actor)
        except (ConnectorError, CrmError) as exc:
            raise CommandError(str(exc)) from exc

    def _out(self, options: dict[str, Any], data: Any, text: str) -> None:
        self.stdout.write(json.dumps(data, indent=2) if options["json"] else text)

    def _add(self, options: dict[str, Any], actor: Any) -> None:
        connection, url = add_connection(
            options["kind"],
            options["name"],
            secret=options["secret"],
            options=parse_options(options["options"]),
            actor=actor,
            now=timezone.now(),
        )
        view = get_connection(connection.name).as_dict() | {"url": url}
        if view["syncs"]:
            text = (
                f"Connection {connection.name!r} ({view['label']}): synced every 15 minutes; "
                f"`advocacy connectors sync {connection.name!r}` syncs it now. The secret "
                "cannot be shown again."
            )
            self._out(options, view, text)
            return
        text = (
            f"{url}\n"
            f"Connection {connection.name!r} ({view['label']}): give the vendor this url. "
            "Store it now: it cannot be shown again"
            + (", nor can the secret." if view["has_secret"] else ".")
        )
        self._out(options, view, text)

    def _list(self, options: dict[str, Any], actor: Any) -> None:
        views = list_connections(include_removed=options["removed"])
        if options["json"]:
            self._out(options, [v.as_dict() for v in views], "")
            return
        if not views:
            self.stdout.write("no connections yet: add one with `advocacy connectors add`")
            return
        self.stdout.write(f"{'NAME':<24} {'KIND':<11} {'PENDING':>7} {'DONE':>6} {'FAILED':>6} "
                          f"{'REFUSED':>7}")  # fmt: skip
        for v in views:
            c = v.counts
            self.stdout.write(
                f"{v.name[:24]:<24} {v.kind:<11} {c['pending']:>7} {c['processed']:>6} "
                f"{c['failed']:>6} {c['rejected']:>7}"
            )

    def _show(self, options: dict[str, Any], actor: Any) -> None:
        view = get_connection(options["name"]).as_dict()
        lines = [f"{k}: {v}" for k, v in view.items()]
        self._out(options, view, "\n".join(lines))

    def _remove(self, options: dict[str, Any], actor: Any) -> None:
        changed = remove_connection(options["name"], actor=actor, now=timezone.now())
        word = "removed: its url no longer answers" if changed else "was already removed"
        self._out(options, {"removed": changed}, f"connection {options['name']!r} {word}")

    def _replay(self, options: dict[str, Any], actor: Any) -> None:
        outcome = replay(
            now=timezone.now(),
            ids=options["ids"] or None,
            name=options["name"],
            status=options["status"],
        )
        data = outcome.as_dict()
        text = (
            f"{outcome.requests} requests mapped again: {outcome.created} new signals, "
            f"{outcome.revised} revised, {outcome.unchanged} unchanged, {outcome.failed} failed"
        )
        self._out(options, data, text)

    def _inbox(self, options: dict[str, Any], actor: Any) -> None:
        rows = list(inbox(name=options["name"], status=options["status"], limit=options["limit"]))
        data = [inbox_row(r, body=options["body"]) for r in rows]
        if options["json"]:
            self._out(options, data, "")
            return
        if not rows:
            self.stdout.write("no requests received")
            return
        for r in rows:
            line = (
                f"{r.pk:>6} {r.received_at:%Y-%m-%d %H:%M:%S} {r.connection.name[:20]:<20} "
                f"{r.get_status_display():<20} new {r.created} revised {r.revised}"
            )
            self.stdout.write(line + (f"  {r.error}" if r.error else ""))
            if options["body"]:
                self.stdout.write(f"       {r.body_text()}")

    def _rejected(self, options: dict[str, Any], actor: Any) -> None:
        rows = list(rejected(name=options["name"], limit=options["limit"]))
        if options["json"]:
            self._out(options, [rejected_row(r) for r in rows], "")
            return
        if not rows:
            self.stdout.write("no requests refused")
            return
        for r in rows:
            self.stdout.write(
                f"{r.pk:>6} {r.received_at:%Y-%m-%d %H:%M:%S} {r.connection.name[:20]:<20} "
                f"{r.reason}"
            )

    def _sync(self, options: dict[str, Any], actor: Any) -> None:
        with progress_bar(self.stderr, f"syncing {options['name']}", unit="records") as update:
            run = sync(options["name"], now=timezone.now, progress=update)
        data = run_summary(run)
        lines = [f"sync of {run.connection.name}: {run.state}, {run.pages} pages"]
        for obj, n in data["counts"].items():
            lines.append(
                f"  {obj}: {n.get('fetched', 0)} read, {n.get('created', 0)} new, "
                f"{n.get('updated', 0)} updated, {n.get('unchanged', 0)} unchanged, "
                f"{n.get('rejected', 0)} refused, {n.get('skipped', 0)} skipped"
            )
        lines += [f"  refused: {why}" for why in data["rejections"]]
        for obj, at in data["cursors"].items():
            lines.append(f"  cursor {obj}: {at['modified_at'] or 'from the start'}")
        self._out(options, data, "\n".join(lines))
        if run.error:
            raise CommandError(f"the sync stopped: {run.error} (the next one goes on from here)")

    def _write_backs(self, options: dict[str, Any], actor: Any) -> None:
        rows = [write_back_row(r) for r in write_backs(
            name=options["name"], status=options["status"], limit=options["limit"])]  # fmt: skip
        if options["json"]:
            self._out(options, rows, "")
            return
        if not rows:
            self.stdout.write("nothing written back")
            return
        for r in rows:
            self.stdout.write(
                f"{r['id']:>6} {r['connection'][:20]:<20} {r['kind']:<9} {r['status']:<8} "
                f"tries {r['attempts']}  {r['key']}" + (f"  {r['error']}" if r["error"] else "")
            )
