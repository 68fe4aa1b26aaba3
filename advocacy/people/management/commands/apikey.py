"""`advocacy apikey create|list|revoke`: API keys, their scopes, and revoking them."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from advocacy.people.models import Scope
from advocacy.people.services import (
    PeopleError,
    issue_api_key,
    list_api_keys,
    revoke_api_key,
)


class Command(BaseCommand):
    help = "Create, list and revoke API keys. A key's secret is printed once, at creation."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="create a key for a user, print its secret")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="what uses the key ('crm sync')")
        create.add_argument(
            "--scope",
            dest="scopes",
            action="append",
            choices=Scope.values,
            required=True,
            help="a scope the key grants; repeat for several",
        )
        create.add_argument("--json", action="store_true", help="print JSON")
        listing = actions.add_parser("list", help="list keys (never their secrets)")
        listing.add_argument("--json", action="store_true", help="print JSON")
        listing.add_argument("--active", action="store_true", help="hide revoked keys")
        revoke = actions.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix", help="the 8 characters after 'adv_', or the whole key")
        revoke.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except PeopleError as exc:
            raise CommandError(str(exc)) from exc

    def _create(self, options: dict[str, Any]) -> None:
        key, secret = issue_api_key(
            options["username"],
            name=options["name"],
            scopes=options["scopes"],
            actor=None,
            now=timezone.now(),
        )
        if options["json"]:
            data = {"prefix": key.prefix, "name": key.name, "scopes": key.scopes, "key": secret}
            self.stdout.write(json.dumps(data))
            return
        self.stdout.write(f"{secret}\n")
        self.stderr.write(
            f"API key {key.prefix} ({key.name}) for {options['username']}, scopes "
            f"{', '.join(key.scopes)}. Store it now: it cannot be shown again."
        )

    def _list(self, options: dict[str, Any]) -> None:
        keys = list_api_keys(include_revoked=not options["active"])
        if options["json"]:
            rows = [
                {
                    "prefix": k.prefix,
                    "name": k.name,
                    "user": k.username,
                    "scopes": list(k.scopes),
                    "created_at": k.created_at.isoformat(),
                    "last_used_at": k.last_used_at.isoformat() if k.last_used_at else None,
                    "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
                }
                for k in keys
            ]
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not keys:
            self.stdout.write("no API keys yet: create one with `advocacy apikey create`")
            return
        self.stdout.write(f"{'PREFIX':<10} {'NAME':<20} {'USER':<15} {'STATUS':<8} SCOPES")
        for k in keys:
            status = "active" if k.active else "revoked"
            self.stdout.write(
                f"{k.prefix:<10} {k.name[:20]:<20} {k.username[:15]:<15} {status:<8} "
                f"{' '.join(k.scopes)}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        changed = revoke_api_key(options["prefix"], actor=None, now=timezone.now())
        prefix = options["prefix"].strip()
        shown = prefix[4:].split("_", 1)[0] if prefix.startswith("adv_") else prefix
        if options["json"]:
            self.stdout.write(json.dumps({"prefix": shown, "revoked": True, "changed": changed}))
            return
        word = "revoked" if changed else "was already revoked"
        self.stdout.write(f"API key {shown} {word}")
