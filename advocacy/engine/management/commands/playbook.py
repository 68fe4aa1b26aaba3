"""advocacy playbook check|load [FOLDER]: validate plays, or load them into the database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from advocacy.engine.plays import PlaybookError, load_playbook, read_playbook


class Command(BaseCommand):
    help = "Check the plays of a playbook folder, or load them (all or none) into the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check", "load"])
        parser.add_argument(
            "folder", nargs="?", help="Playbook folder (default: ADVOCACY_PLAYBOOK_DIR)"
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **opts: Any) -> None:
        folder = Path(opts["folder"] or settings.PLAYBOOK_DIR)
        if not folder.is_dir():
            raise CommandError(f"{folder}: not a folder")
        try:
            if opts["action"] == "load":
                result = load_playbook(folder, now=timezone.now())
            else:
                result = read_playbook(folder)
                if result.errors:
                    raise PlaybookError(result.errors)
        except PlaybookError as exc:
            if opts["json"]:
                self.stdout.write(
                    json.dumps({"ok": False, "errors": [vars(e) for e in exc.errors]})
                )
            raise CommandError(f"the playbook has {len(exc.errors)} error(s):\n{exc}") from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        names = [p.name for p in result.plays]
        if opts["json"]:
            body = {
                "ok": True,
                "action": opts["action"],
                "plays": names,
                "warnings": [vars(w) for w in result.warnings],
            }
            self.stdout.write(json.dumps(body))
            return
        verb = "loaded" if opts["action"] == "load" else "checked"
        self.stdout.write(f"{len(names)} plays {verb} from {folder.name}: {', '.join(names)}")
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
