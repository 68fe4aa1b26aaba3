"""advocacy privacy export|erase: a person's data (GDPR articles 15 and 17)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advocacy.core.management.clock import add_as_of, as_of
from advocacy.people.management.acting import acting_user
from advocacy.people.models import Via
from advocacy.privacy.services import PrivacyError, erase_person, export_person, find_person


def open_private(path: Path) -> IO[str]:
    """Open `path` for writing, readable by its owner only (it will hold a person's data)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise CommandError(f"--output: cannot write {path}: {exc.strerror}") from None
    return os.fdopen(fd, "w", encoding="utf-8")


class Command(BaseCommand):
    help = "Export everything held about a person as JSON, or erase them on request."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Everything held about one contact, as JSON.")
        export.add_argument("email")
        export.add_argument("--output", "-o", help="Write to this file (mode 600), not stdout.")
        erase = sub.add_parser(
            "erase", help="Delete the contact and all their data; keep only a keyed hash."
        )
        erase.add_argument("email")
        erase.add_argument("--reason", required=True, help="The request this erasure answers.")
        erase.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        erase.add_argument("--json", action="store_true", help="Print one JSON object.")
        for p in (export, erase):
            p.add_argument("--as", dest="as_user", help="Do it as this username (an admin).")
            add_as_of(p)

    def handle(self, *args: Any, **opts: Any) -> None:
        actor = acting_user("privacy", opts)  # refused before anything is looked up
        try:
            contact = find_person(opts["email"])
            if opts["action"] == "export":
                self.export(contact, actor, opts)
            else:
                self.erase(contact, actor, opts)
        except PrivacyError as exc:
            raise CommandError(str(exc)) from None

    def export(self, contact: Any, actor: Any, opts: dict[str, Any]) -> None:
        if not opts["output"]:
            document = export_person(contact, actor=actor, via=Via.CLI, now=as_of(opts))
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
            return
        path = Path(opts["output"])
        with open_private(path) as out:  # refused before the export is made and recorded
            document = export_person(contact, actor=actor, via=Via.CLI, now=as_of(opts))
            json.dump(document, out, indent=2, ensure_ascii=False)
            out.write("\n")
        self.stderr.write(f"wrote the data of contact {contact.pk} to {path}")

    def erase(self, contact: Any, actor: Any, opts: dict[str, Any]) -> None:
        if not opts["yes"]:
            self.confirm(contact)
        done = erase_person(
            contact, actor=actor, via=Via.CLI, now=as_of(opts), reason=opts["reason"]
        )
        if opts["json"]:
            self.stdout.write(json.dumps(done.as_dict()))
            return
        self.stdout.write(
            f"contact {done.contact_id} erased: {done.total_deleted} record(s) deleted, "
            f"{len(done.requests_reopened)} reference request(s) open again, "
            f"{done.audit_entries_blanked} audit entr(ies) blanked; "
            "the email and identities are on the suppression list"
        )

    def confirm(self, contact: Any) -> None:
        """Ask on a terminal to type the email; without one, refuse (use --yes)."""
        if not sys.stdin.isatty():
            raise CommandError(
                "erasing cannot be undone and there is no terminal to confirm it: "
                "run it again with --yes"
            )
        self.stderr.write(
            f"This deletes contact {contact.pk} ({contact.email}) and everything held about "
            "them, for good. Type the email to confirm: ",
            ending="",
        )
        self.stderr.flush()
        typed = sys.stdin.readline().strip().lower()
        if typed != contact.email:
            raise CommandError(f"not erased: you typed {typed!r}, not {contact.email!r}")
