"""advocacy routing list|add|edit|remove|apply: the rules that pick an ask's owner."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.table import Table

from advocacy.core.management.clock import add_as_of, as_of
from advocacy.core.management.output import output_console
from advocacy.customers.models import Region, SizeBand
from advocacy.people.models import Role
from advocacy.pipeline.models import AskType, RoutingRule
from advocacy.pipeline.process_models import Stage
from advocacy.pipeline.routing import reroute_open_asks, save_rule


def rule_dict(rule: RoutingRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "position": rule.position,
        "name": rule.name,
        "enabled": rule.enabled,
        "ask_type": rule.ask_type.code if rule.ask_type else None,
        "stage": rule.stage,
        "region": rule.region,
        "size_band": rule.size_band,
        "industry": rule.industry,
        "account_owner": rule.account_owner.get_username() if rule.account_owner else None,
        "owner": rule.owner.get_username() if rule.owner else None,
        "role": rule.role,
    }


def _user(username: str, flag: str) -> Any:
    if username == "":
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"{flag}: no user named {username!r}")
    return user


class Command(BaseCommand):
    help = "List, add, edit or remove routing rules; apply them to the open asks."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="The rules, first to win first.")
        add = sub.add_parser("add", help="Add a rule (an --owner or a --role is needed).")
        edit = sub.add_parser("edit", help="Change a rule; give only what changes.")
        edit.add_argument("id", type=int)
        remove = sub.add_parser("remove", help="Delete a rule.")
        remove.add_argument("id", type=int)
        apply = sub.add_parser("apply", help="Route every open ask again by the rules as now.")
        add.add_argument("--name", required=True)
        edit.add_argument("--name")
        for p in (add, edit):
            p.add_argument("--position", type=int, help="Lower wins first (default 100).")
            p.add_argument("--ask-type", help="An ask type code ('' for any).")
            p.add_argument("--stage", choices=[*Stage.values, ""])
            p.add_argument("--region", choices=[*Region.values, ""])
            p.add_argument("--size-band", choices=[*SizeBand.values, ""])
            p.add_argument("--industry", help="Matched case-blind ('' for any).")
            p.add_argument("--account-owner", help="Only accounts this user owns ('' for any).")
            p.add_argument("--owner", help="The username who gets the asks ('' for none).")
            p.add_argument("--role", choices=[*Role.values, ""], help="The role pool.")
            p.add_argument("--disabled", action="store_true", help="Keep the rule, unused.")
            p.add_argument("--enabled", action="store_true", help="Use the rule again.")
        for p in (listing, add, edit, remove, apply):
            p.add_argument("--json", action="store_true", help="Print one JSON object.")
        for p in (add, edit, apply):
            add_as_of(p)

    def handle(self, *args: Any, **opts: Any) -> None:
        now = as_of(opts)
        action = opts["action"]
        if action == "list":
            return self.list_rules(opts)
        if action == "apply":
            routed = reroute_open_asks(now=now)
            self.emit(opts, {"routed": len(routed)}, f"{len(routed)} open ask(s) routed anew")
            return None
        rule = None
        if action in ("edit", "remove"):
            rule = RoutingRule.objects.filter(pk=opts["id"]).first()
            if rule is None:
                raise CommandError(f"no routing rule with id {opts['id']}")
        if action == "remove":
            assert rule is not None
            rule.delete()
            self.emit(opts, {"removed": opts["id"]}, f"rule {opts['id']} removed")
            return None
        try:
            saved = save_rule(self.fields(opts), now=now, rule=rule)
        except ValidationError as exc:
            raise CommandError("; ".join(_messages(exc))) from None
        verb = "added" if action == "add" else "changed"
        self.emit(
            opts, rule_dict(saved), f"rule {saved.pk} {verb}: {saved.criteria()} → {saved.target()}"
        )
        return None

    def fields(self, opts: dict[str, Any]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for name in ("name", "position", "stage", "region", "size_band", "industry", "role"):
            if opts.get(name) is not None:
                fields[name] = opts[name]
        if opts.get("ask_type") is not None:
            code = opts["ask_type"]
            fields["ask_type"] = AskType.objects.filter(code=code).first() if code else None
            if code and fields["ask_type"] is None:
                raise CommandError(f"--ask-type: no ask type {code!r}")
        for name, flag in (("owner", "--owner"), ("account_owner", "--account-owner")):
            if opts.get(name) is not None:
                fields[name] = _user(opts[name], flag)
        if opts.get("disabled") and opts.get("enabled"):
            raise CommandError("give --enabled or --disabled, not both")
        if opts.get("disabled") or opts.get("enabled"):
            fields["enabled"] = bool(opts.get("enabled"))
        return fields

    def emit(self, opts: dict[str, Any], data: dict[str, Any], text: str) -> None:
        self.stdout.write(json.dumps(data) if opts["json"] else text)

    def list_rules(self, opts: dict[str, Any]) -> None:
        rules = list(RoutingRule.objects.select_related("ask_type", "owner", "account_owner"))
        if opts["json"]:
            self.stdout.write(json.dumps({"rules": [rule_dict(r) for r in rules]}))
            return
        table = Table(title=f"{len(rules)} routing rule(s); the first that matches wins")
        for column in ("id", "pos", "name", "when", "goes to", "on"):
            table.add_column(column)
        for r in rules:
            on = "yes" if r.enabled else "no"
            table.add_row(str(r.pk), str(r.position), r.name, r.criteria(), r.target(), on)
        output_console(self.stdout).print(table)


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            m if field == "__all__" else f"{field}: {m}"
            for field, errors in exc.message_dict.items()
            for m in errors
        ]
    return list(exc.messages)
