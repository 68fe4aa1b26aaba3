"""What the apps above hold about a person: a registry the privacy export and erasure read.

The privacy app gathers everything held about a contact and erases it, but some of it belongs
to apps it may not import (messaging sits beside it, in the same layer, and the two are
independent). Such an app registers a Holding here in its AppConfig.ready(); `person_document`
adds each one's section to the export, `holdings` counts it, and `erase_person` calls its
`erase` inside the erasure's transaction, before the contact is deleted.

A Holding's `export` MUST cost a constant number of queries whatever the person holds and
return JSON-ready rows (times in ISO 8601, UTC); its `erase` MUST be set-based, MUST NOT
commit, and removes or blanks what the contact's own deletion would not reach (rows about the
person that hang off someone else, their address written elsewhere). It returns the rows it
touched, by model label.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from advocacy.customers.models import Contact


@dataclass(frozen=True)
class Holding:
    key: str  # the export's key for this section
    label: str  # what it is, in words, as the erasure's confirmation counts it
    export: Callable[[Contact], list[dict[str, Any]]]
    count: Callable[[Contact], int]
    erase: Callable[[Contact, datetime], dict[str, int]]


HOLDINGS: dict[str, Holding] = {}


def register(holding: Holding) -> None:
    HOLDINGS[holding.key] = holding


def registered() -> list[Holding]:
    """The holdings in the order they were registered (the export's order of sections)."""
    return list(HOLDINGS.values())
