"""`--limit N --offset N` for the commands that list rows: one page, and what is left.

A list says how many rows match in all, which it shows, and how to get the next page, so a
long list never ends silently at its limit.
"""

from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

MAX_LIMIT = 10_000


def _count(text: str, *, least: int, name: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < least:
        raise ArgumentTypeError(f"{name} must be at least {least}")
    return value


def _limit(text: str) -> int:
    value = _count(text, least=1, name="--limit")
    if value > MAX_LIMIT:
        raise ArgumentTypeError(f"--limit is at most {MAX_LIMIT:,}: page with --offset")
    return value


def _offset(text: str) -> int:
    return _count(text, least=0, name="--offset")


def add_paging(parser: ArgumentParser, *, default: int) -> None:
    """Add `--limit` (rows per page) and `--offset` (rows skipped) to a list command."""
    parser.add_argument(
        "--limit", type=_limit, default=default, help=f"At most this many (default {default})."
    )
    parser.add_argument(
        "--offset", type=_offset, default=0, help="Skip this many first (the next page)."
    )


@dataclass(frozen=True)
class Page:
    total: int  # rows that match, in all
    offset: int
    limit: int
    shown: int  # rows on this page

    @property
    def next_offset(self) -> int | None:
        after = self.offset + self.shown
        return after if after < self.total else None

    def caption(self, noun: str) -> str:
        """ "1,234 ask(s), showing 1-200; more with --offset 200"."""
        text = f"{self.total:,} {noun}(s)"
        if self.shown and (self.offset or self.shown < self.total):
            text += f", showing {self.offset + 1:,}-{self.offset + self.shown:,}"
        elif not self.shown and self.total:
            text += f", none from {self.offset + 1:,}"
        if self.next_offset is not None:
            text += f"; more with --offset {self.next_offset}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "next_offset": self.next_offset,
        }


def page(rows: QuerySet[Any], opts: dict[str, Any]) -> tuple[list[Any], Page]:
    """The rows of the page `opts` asks for (ordered as given), and where it sits."""
    total = rows.count()
    offset, limit = opts["offset"], opts["limit"]
    found = list(rows[offset : offset + limit])
    return found, Page(total=total, offset=offset, limit=limit, shown=len(found))
