"""advocacy content list|show|create|move|consent|use|render|expiring: the content library."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from advocacy.content.models import (
    Asset,
    AssetKind,
    AssetStatus,
    Channel,
    ConsentScope,
    Repermission,
)
from advocacy.content.rendering import filename, render_html, render_pdf
from advocacy.content.services import (
    ContentError,
    InvalidAssetTransition,
    UseRefused,
    allowed_moves,
    create_asset,
    edit_asset,
    end_of,
    expire_assets,
    grant_consent,
    move_asset,
    record_use,
    renew_consent,
)
from advocacy.core.management.clock import add_as_of, as_of
from advocacy.core.management.output import output_console
from advocacy.core.management.paging import add_paging, page
from advocacy.customers.models import Contact
from advocacy.people.management.acting import acting_user
from advocacy.pipeline.models import Ask

LIST_LIMIT = 200


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def _row(asset: Asset) -> dict[str, Any]:
    return {
        "id": asset.pk,
        "kind": asset.kind,
        "status": asset.status,
        "title": asset.title,
        "email": asset.contact.email,
        "account": asset.account.name,
        "ask_id": asset.ask_id,
        "scopes": asset.scopes,
        "consent_expires_at": _when(asset.consent_expires_at),
    }


def _detail(asset: Asset) -> dict[str, Any]:
    return {
        **_row(asset),
        "url": asset.url,
        "allowed_moves": allowed_moves(asset.status),
        "events": [
            {
                "from": e.from_status,
                "to": e.to_status,
                "actor": e.actor.get_username() if e.actor else None,
                "note": e.note,
                "at": e.at.isoformat(),
            }
            for e in asset.events.select_related("actor")
        ],
        "consents": [
            {
                "scopes": c.scopes,
                "granted_at": _when(c.granted_at),
                "expires_at": _when(c.expires_at),
            }
            for c in asset.consents.all()
        ],
        "uses": [
            {
                "channel": u.channel,
                "where": u.where,
                "outcome": u.outcome,
                "reason": u.reason,
                "at": u.at.isoformat(),
            }
            for u in asset.uses.all()
        ],
    }


def _user(username: str | None) -> Any:
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"--as: no user named {username!r}")
    return user


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"expected a day as YYYY-MM-DD, found {value!r}") from None


def _scopes(value: str) -> list[str]:
    return [s.strip() for s in value.split(",") if s.strip()]


class Command(BaseCommand):
    help = "The content library: assets, their approval, consent, reuse and rendering."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Assets, newest first.")
        listing.add_argument("--kind", choices=AssetKind.values)
        listing.add_argument("--status", choices=AssetStatus.values)
        listing.add_argument("--scope", choices=ConsentScope.values, help="Consent grants it.")
        add_paging(listing, default=LIST_LIMIT)
        show = sub.add_parser("show", help="One asset: timeline, consents, reuse log.")
        show.add_argument("id", type=int)
        create = sub.add_parser("create", help="Create a draft asset of an advocate.")
        create.add_argument("--kind", required=True, choices=AssetKind.values)
        create.add_argument("--title", required=True)
        create.add_argument("--contact", required=True, help="The advocate's email or id.")
        create.add_argument("--ask", type=int, help="The ask that produced it.")
        for name in ("body", "url", "headline", "overview", "challenge", "solution", "quote"):
            create.add_argument(f"--{name}", default="")
        create.add_argument("--look-ahead", dest="look_ahead", default="")
        create.add_argument(
            "--result", dest="results", action="append", default=[], help="Repeat per result."
        )
        edit = sub.add_parser("edit", help="Change the text of a draft.")
        edit.add_argument("id", type=int)
        edit.add_argument("--title")
        for name in ("body", "url", "headline", "overview", "challenge", "solution", "quote"):
            edit.add_argument(f"--{name}")
        edit.add_argument("--look-ahead", dest="look_ahead")
        edit.add_argument(
            "--result", dest="results", action="append", help="Repeat per result (replaces all)."
        )
        move = sub.add_parser("move", help="Move an asset to another state.")
        move.add_argument("id", type=int)
        move.add_argument("status", choices=AssetStatus.values)
        consent = sub.add_parser("consent", help="Record or renew the advocate's consent.")
        consent.add_argument("id", type=int)
        consent.add_argument(
            "--scopes", default="", help=f"Comma-separated: {', '.join(ConsentScope.values)}."
        )
        consent.add_argument("--until", required=True, help="Last day of the consent, YYYY-MM-DD.")
        consent.add_argument("--renew", action="store_true", help="Keep the scopes, extend.")
        use = sub.add_parser("use", help="Record a use; refused unless consent covers it.")
        use.add_argument("id", type=int)
        use.add_argument("channel", choices=Channel.values)
        use.add_argument("--where", default="", help="Page, deck, outlet or URL.")
        use.add_argument("--shows", default="", help="Scopes it also shows, e.g. name,title.")
        use.add_argument(
            "--opportunity", default="", help="The CRM deal id it was used in (attribution)."
        )
        render = sub.add_parser("render", help="Render an asset to HTML or PDF.")
        render.add_argument("id", type=int)
        render.add_argument("--format", choices=["html", "pdf"], default="html")
        render.add_argument(
            "--output",
            "-o",
            help="File to write (default: HTML to stdout, PDF to a file named after the asset).",
        )
        expiring = sub.add_parser("expiring", help="Open re-permission reminders.")
        expiring.add_argument("--run", action="store_true", help="Run the expiry job first.")
        for p in (listing, show, create, edit, move, consent, use, expiring):
            p.add_argument("--json", action="store_true", help="Print one JSON object.")
        for p in (create, edit, move, consent, use):
            p.add_argument("--note", default="", help="Recorded with it.")
            p.add_argument("--as", dest="as_user", help="Record it as this username.")
            add_as_of(p)
        add_as_of(expiring, help="Run the expiry job (--run) as of this date or date-time.")

    def handle(self, *args: Any, **opts: Any) -> None:
        acting_user("content", opts)  # refused before anything is looked up
        action = opts["action"]
        try:
            getattr(self, f"do_{action}")(opts)
        except (ContentError, InvalidAssetTransition, UseRefused) as exc:
            raise CommandError(str(exc)) from None

    def out(self, opts: dict[str, Any], data: Any, text: str) -> None:
        self.stdout.write(json.dumps(data) if opts.get("json") else text)

    def console(self) -> Console:
        return output_console(self.stdout)

    def asset(self, pk: int) -> Asset:
        asset = Asset.objects.select_related("contact", "account").filter(pk=pk).first()
        if asset is None:
            raise CommandError(f"no asset with id {pk}")
        return asset

    def do_list(self, opts: dict[str, Any]) -> None:
        assets = Asset.objects.select_related("contact", "account")
        if opts["kind"]:
            assets = assets.filter(kind=opts["kind"])
        if opts["status"]:
            assets = assets.filter(status=opts["status"])
        if opts["scope"]:
            assets = assets.consented(opts["scope"])
        found, where = page(assets.order_by("-created_at", "-id"), opts)
        rows = [_row(a) for a in found]
        if opts["json"]:
            self.stdout.write(json.dumps({**where.as_dict(), "assets": rows}))
            return
        table = Table(title=where.caption("asset"))
        for column in ("id", "kind", "status", "title", "advocate", "consent", "until"):
            table.add_column(column)
        for r in rows:
            until = (r["consent_expires_at"] or "—")[:10]
            table.add_row(
                str(r["id"]),
                r["kind"],
                r["status"],
                r["title"],
                r["email"],
                ", ".join(r["scopes"]) or "—",
                until,
            )
        self.console().print(table)

    def do_show(self, opts: dict[str, Any]) -> None:
        detail = _detail(self.asset(opts["id"]))
        if opts["json"]:
            self.stdout.write(json.dumps(detail))
            return
        console = self.console()
        console.print(f"[bold]{detail['title']}[/bold] ({detail['kind']}, {detail['status']})")
        console.print(f"{detail['email']} · {detail['account']}")
        console.print(
            f"consent: {', '.join(detail['scopes']) or 'none'}"
            f" until {detail['consent_expires_at'] or '—'}"
        )
        console.print(f"may move to: {', '.join(detail['allowed_moves']) or 'nothing (final)'}")
        events = Table(title="timeline")
        for column in ("at", "from", "to", "by", "note"):
            events.add_column(column)
        for e in detail["events"]:
            events.add_row(e["at"][:16], e["from"] or "—", e["to"], e["actor"] or "—", e["note"])
        console.print(events)
        uses = Table(title="reuse log")
        for column in ("at", "channel", "where", "outcome", "reason"):
            uses.add_column(column)
        for u in detail["uses"]:
            uses.add_row(u["at"][:16], u["channel"], u["where"], u["outcome"], u["reason"])
        console.print(uses)

    def do_create(self, opts: dict[str, Any]) -> None:
        given = opts["contact"]
        found = (
            Contact.objects.filter(pk=int(given))
            if given.isdigit()
            else Contact.objects.filter(email=given.lower())
        )
        contact = found.first()
        if contact is None:
            raise CommandError(f"--contact: no contact {given!r}")
        ask = None
        if opts["ask"]:
            ask = Ask.objects.filter(pk=opts["ask"]).first()
            if ask is None:
                raise CommandError(f"--ask: no ask with id {opts['ask']}")
        fields = {
            k: opts[k]
            for k in (
                "body",
                "url",
                "headline",
                "overview",
                "challenge",
                "solution",
                "quote",
                "look_ahead",
                "results",
            )
        }
        asset = create_asset(
            kind=opts["kind"],
            title=opts["title"],
            contact=contact,
            ask=ask,
            actor=_user(opts["as_user"]),
            now=as_of(opts),
            note=opts["note"],
            **fields,
        )
        self.out(opts, _row(asset), f"asset {asset.pk} created as a draft")

    def do_edit(self, opts: dict[str, Any]) -> None:
        asset = self.asset(opts["id"])
        names = ("title", "body", "url", "headline", "overview", "challenge", "solution")
        fields = {k: opts[k] for k in (*names, "quote", "look_ahead", "results")}
        given = {k: v for k, v in fields.items() if v is not None}
        if not given:
            raise CommandError("nothing to change: give --title, --body, --result…")
        edit_asset(asset, actor=_user(opts["as_user"]), now=as_of(opts), note=opts["note"], **given)
        self.out(opts, _row(asset), f"asset {asset.pk} edited")

    def do_move(self, opts: dict[str, Any]) -> None:
        asset = self.asset(opts["id"])
        move_asset(
            asset,
            opts["status"],
            actor=_user(opts["as_user"]),
            now=as_of(opts),
            note=opts["note"],
        )
        self.out(
            opts,
            {"id": asset.pk, "status": asset.status},
            f"asset {asset.pk} is now {asset.status}",
        )

    def do_consent(self, opts: dict[str, Any]) -> None:
        asset = self.asset(opts["id"])
        until = end_of(_day(opts["until"]))
        kwargs = {
            "expires_at": until,
            "actor": _user(opts["as_user"]),
            "now": as_of(opts),
            "note": opts["note"],
        }
        if opts["renew"]:
            if opts["scopes"]:
                raise CommandError("--renew keeps the scopes in force: leave out --scopes")
            consent = renew_consent(asset, **kwargs)
        else:
            consent = grant_consent(asset, _scopes(opts["scopes"]), **kwargs)
        data = {
            "id": asset.pk,
            "scopes": consent.scopes,
            "expires_at": consent.expires_at.isoformat(),
        }
        self.out(
            opts,
            data,
            f"asset {asset.pk}: consent to {', '.join(consent.scopes) or 'nothing'}"
            f" until {opts['until']}",
        )

    def do_use(self, opts: dict[str, Any]) -> None:
        asset = self.asset(opts["id"])
        use = record_use(
            asset,
            opts["channel"],
            actor=_user(opts["as_user"]),
            now=as_of(opts),
            where=opts["where"],
            shows=_scopes(opts["shows"]),
            note=opts["note"],
            opportunity_ref=opts["opportunity"],
        )
        data = {
            "id": use.pk,
            "asset_id": asset.pk,
            "channel": use.channel,
            "outcome": use.outcome,
            "needs": use.needs,
            "opportunity_ref": use.opportunity_ref,
        }
        self.out(opts, data, f"use of asset {asset.pk} on {use.channel} recorded")

    def do_render(self, opts: dict[str, Any]) -> None:
        asset = self.asset(opts["id"])
        if opts["format"] == "html" and not opts["output"]:
            self.stdout.write(render_html(asset))
            return
        path = Path(opts["output"] or filename(asset, opts["format"]))
        if opts["format"] == "pdf":
            path.write_bytes(render_pdf(asset))
        else:
            path.write_text(render_html(asset), encoding="utf-8")
        self.stdout.write(f"wrote {path}")

    def do_expiring(self, opts: dict[str, Any]) -> None:
        ran = None
        if opts["run"]:
            ran = expire_assets(as_of(opts), repermission_days=settings.CONTENT_REPERMISSION_DAYS)
        reminders = Repermission.objects.open().select_related("asset", "asset__contact")
        rows: list[dict[str, Any]] = [
            {
                "asset_id": r.asset_id,
                "title": r.asset.title,
                "email": r.asset.contact.email,
                "expires_at": r.expires_at.isoformat(),
                "raised_at": r.raised_at.isoformat(),
            }
            for r in reminders
        ]
        if opts["json"]:
            self.stdout.write(
                json.dumps({"run": ran.as_dict() if ran else None, "reminders": rows})
            )
            return
        if ran:
            self.stdout.write(
                f"expired {len(ran.expired)} asset(s), flagged {len(ran.flagged)} for re-permission"
            )
        table = Table(title=f"{len(rows)} asset(s) need re-permission")
        for column in ("asset", "title", "advocate", "consent ends"):
            table.add_column(column)
        for row in rows:
            table.add_row(str(row["asset_id"]), row["title"], row["email"], row["expires_at"][:10])
        self.console().print(table)
