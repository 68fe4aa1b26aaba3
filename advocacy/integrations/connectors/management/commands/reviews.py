"""`advocacy reviews import FILE [--site g2] [--mapping FILE]`: reviews verified on the site."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from advocacy.integrations.connectors.registry import Malformed
from advocacy.integrations.connectors.reviews import ReviewError, import_reviews
from advocacy.integrations.connectors.vendors.g2 import load_mapping
from advocacy.people.management.acting import acting_user


class Command(BaseCommand):
    help = (
        "Import reviews from a review site: each published one closes its review ask as verified."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("import", help="a G2 API document (.json) or a CSV of reviews")
        add.add_argument("file", type=Path)
        add.add_argument("--site", default="g2", help="the review site (default: g2)")
        add.add_argument("--mapping", type=Path, help="a YAML or JSON mapping of the CSV's columns")
        add.add_argument("--json", action="store_true", help="print JSON")
        add.add_argument("--as", dest="as_user", help="Act as this username.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = acting_user("reviews", options)
        try:
            mapping = load_mapping(options["mapping"]) if options["mapping"] else None
            out = import_reviews(
                options["file"], site=options["site"], mapping=mapping, actor=actor,
                now=timezone.now(),
            )  # fmt: skip
        except (ReviewError, Malformed) as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(out.as_dict(), indent=2))
            return
        lines = [
            f"{out.reviews} reviews: {len(out.verified)} closed their ask as verified, "
            f"{len(out.counted)} counted on their own, {out.unchanged} already known, "
            f"{out.skipped} not published yet, {len(out.unmatched)} matched to no contact"
        ]
        lines += [f"  review {r}: ask {a} verified" for r, a in out.verified]
        if out.unmatched:
            lines.append("  no contact for review " + ", ".join(out.unmatched))
        if out.cancelled:
            lines.append("  asks not sent yet, cancelled: " + ", ".join(map(str, out.cancelled)))
        self.stdout.write("\n".join(lines))
