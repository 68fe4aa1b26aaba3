"""`--as-of WHEN` for every command that records a moment: one option, one reading of it."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import datetime
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from advocacy.core import clock

HELP = "Record it as of this date or date-time (default: now)."


def add_as_of(parser: ArgumentParser, help: str = HELP) -> None:
    """Add `--as-of` to a command or one of its actions."""
    parser.add_argument("--as-of", help=help)


def as_of(opts: dict[str, Any]) -> datetime:
    """The moment `--as-of` names, or now; a CommandError naming the option otherwise.

    The clock is read here, at the edge, and nowhere below.
    """
    try:
        return clock.as_of(opts.get("as_of"), now=timezone.now())
    except ValueError as exc:
        raise CommandError(f"--as-of: {exc}") from None
