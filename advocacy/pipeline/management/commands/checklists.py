"""advocacy checklists list|show|edit|steps|tick: checklist templates and an ask's steps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.table import Table

from advocacy.core.management.clock import add_as_of, as_of
from advocacy.core.management.output import output_console
from advocacy.people.management.acting import acting_user
from advocacy.pipeline.checklists import (
    ChecklistError,
    ask_step,
    complete_step,
    current_templates,
    parse_yaml_steps,
    save_template,
    template_steps,
)
from advocacy.pipeline.models import Ask, AskStep, AskType


class Command(BaseCommand):
    help = "Checklist templates per ask type (versioned) and the steps of an ask."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Each ask type's current template version.")
        show = sub.add_parser("show", help="A template's steps, as YAML (edit and load back).")
        show.add_argument("ask_type", help="An ask type code.")
        show.add_argument("--version", type=int, help="An older version (default: current).")
        edit = sub.add_parser("edit", help="Save a YAML file of steps as the next version.")
        edit.add_argument("ask_type", help="An ask type code.")
        edit.add_argument("file", type=Path, help="YAML: a list of {title, role, text, status}.")
        edit.add_argument("--note", default="", help="Why it changed (kept with the version).")
        steps = sub.add_parser("steps", help="An ask's checklist.")
        steps.add_argument("ask_id", type=int)
        tick = sub.add_parser("tick", help="Mark a step of an ask done (may move the ask).")
        tick.add_argument("ask_id", type=int)
        tick.add_argument("position", type=int)
        tick.add_argument("--note", default="", help="Kept with the step (a link, a result).")
        for p in (edit, tick):
            p.add_argument("--as", dest="as_user", help="Record it as this username.")
            add_as_of(p)
        for p in (listing, show, edit, steps, tick):
            p.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **opts: Any) -> None:
        acting_user("checklists", opts)  # refused before anything is looked up
        try:
            getattr(self, opts["action"])(opts)
        except ChecklistError as exc:
            raise CommandError(str(exc)) from None

    def out(self, opts: dict[str, Any], data: Any, text: str) -> None:
        self.stdout.write(json.dumps(data) if opts["json"] else text)

    def actor(self, opts: dict[str, Any]) -> Any:
        if not opts.get("as_user"):
            return None
        user = get_user_model().objects.filter(username=opts["as_user"]).first()
        if user is None:
            raise CommandError(f"--as: no user named {opts['as_user']!r}")
        return user

    def ask_type(self, code: str) -> AskType:
        ask_type = AskType.objects.filter(code=code).first()
        if ask_type is None:
            raise CommandError(f"no ask type {code!r}")
        return ask_type

    def list(self, opts: dict[str, Any]) -> None:
        current = current_templates()
        rows = [
            {
                "ask_type": t.code,
                "version": current[t.pk].version if t.pk in current else None,
                "steps": current[t.pk].steps.count() if t.pk in current else 0,
            }
            for t in AskType.objects.all()
        ]
        if opts["json"]:
            self.stdout.write(json.dumps({"templates": rows}))
            return
        table = Table(title="Checklist templates")
        for column in ("ask type", "version", "steps"):
            table.add_column(column)
        for r in rows:
            table.add_row(str(r["ask_type"]), str(r["version"] or "—"), str(r["steps"]))
        output_console(self.stdout).print(table)

    def show(self, opts: dict[str, Any]) -> None:
        ask_type = self.ask_type(opts["ask_type"])
        templates = ask_type.checklist_templates.all()
        template = (
            templates.filter(version=opts["version"]).first()
            if opts["version"]
            else templates.order_by("-version").first()
        )
        if template is None:
            raise CommandError(f"{ask_type.code}: no such template version")
        steps = [s.as_dict() for s in template_steps(template)]
        data = {"ask_type": ask_type.code, "version": template.version, "steps": steps}
        text = f"# {ask_type.code}, version {template.version}\n" + yaml.safe_dump(
            steps, sort_keys=False, allow_unicode=True
        )
        self.out(opts, data, text)

    def edit(self, opts: dict[str, Any]) -> None:
        ask_type = self.ask_type(opts["ask_type"])
        path: Path = opts["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        steps = parse_yaml_steps(text, where=path.name)
        template = save_template(
            ask_type, steps, actor=self.actor(opts), now=as_of(opts), note=opts["note"]
        )
        data = {"ask_type": ask_type.code, "version": template.version, "steps": len(steps)}
        self.out(
            opts,
            data,
            f"{ask_type.code}: version {template.version} saved ({len(steps)} steps); "
            "asks opened from now on use it",
        )

    def steps(self, opts: dict[str, Any]) -> None:
        ask = Ask.objects.filter(pk=opts["ask_id"]).first()
        if ask is None:
            raise CommandError(f"no ask with id {opts['ask_id']}")
        steps = list(AskStep.objects.filter(ask=ask).select_related("done_by"))
        rows = [step_dict(s) for s in steps]
        if opts["json"]:
            self.stdout.write(json.dumps({"ask": ask.pk, "status": ask.status, "steps": rows}))
            return
        count = sum(1 for s in steps if s.done_at)
        table = Table(title=f"ask {ask.pk} ({ask.status}): {count} of {len(steps)} done")
        for column in ("#", "step", "role", "moves to", "done"):
            table.add_column(column)
        for r in rows:
            done = f"{r['done_at'][:16]} {r['done_by'] or ''}".strip() if r["done_at"] else "—"
            table.add_row(
                str(r["position"]), r["title"], r["owner_role"], r["requires_status"] or "", done
            )
        output_console(self.stdout).print(table)

    def tick(self, opts: dict[str, Any]) -> None:
        try:
            step = ask_step(opts["ask_id"], opts["position"])
        except (Ask.DoesNotExist, AskStep.DoesNotExist) as exc:
            raise CommandError(str(exc)) from None
        step, moves = complete_step(
            step, actor=self.actor(opts), now=as_of(opts), note=opts["note"]
        )
        status = Ask.objects.values_list("status", flat=True).get(pk=step.ask_id)
        data = {"ask": step.ask_id, "position": step.position, "moves": moves, "status": status}
        moved = f"; the ask moved {' → '.join(moves)}" if moves else ""
        self.out(opts, data, f"ask {step.ask_id}: step {step.position} done{moved}")


def step_dict(step: AskStep) -> dict[str, Any]:
    return {
        "position": step.position,
        "title": step.title,
        "owner_role": step.owner_role,
        "text": step.text,
        "requires_status": step.requires_status,
        "done_at": step.done_at.isoformat() if step.done_at else None,
        "done_by": step.done_by.get_username() if step.done_by else None,
        "note": step.note,
    }
