"""Load ask types from YAML into the catalogue (the shipped defaults, or a playbook's own)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from advocacy.pipeline.models import ActivityOn, AskType, Effort
from advocacy.signals.models import SignalKind

DEFAULT_CATALOGUE = Path(__file__).with_name("ask_types.yaml")
FIELDS = (
    "name",
    "effort",
    "activity_kind",
    "activity_on",
    "default_value",
    "public",
    "prerequisites",
    "description",
    "time_needed",
    "source",
)


def _check_activity(item: dict[str, Any], where: str) -> None:
    """An activity kind is a signal kind, produced at completed or published; both or neither."""
    kind, on = item.get("activity_kind") or "", item.get("activity_on") or ""
    if kind and kind not in SignalKind.values:
        raise ValueError(
            f"{where}: activity_kind {kind!r} is not a signal kind; "
            f"one of {', '.join(SignalKind.values)}, or blank for none"
        )
    if kind and on not in ActivityOn.values:
        raise ValueError(
            f"{where}: activity_on must be one of {', '.join(ActivityOn.values)} "
            f"(the status at which the {kind} activity is produced); found {on!r}"
        )
    if on and not kind:
        raise ValueError(f"{where}: activity_on {on!r} is given without an activity_kind")


def read_catalogue(path: Path = DEFAULT_CATALOGUE) -> list[dict[str, Any]]:
    """Parse and check a catalogue file; errors name the file, the entry and the field."""
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(items, list):
        raise ValueError(f"{path.name}: expected a list of ask types")
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"{path.name}: entry {i + 1}"
        if not isinstance(item, dict) or not item.get("code") or not item.get("name"):
            raise ValueError(f"{where}: each ask type needs a code and a name")
        unknown = set(item) - {"code", *FIELDS}
        if unknown:
            raise ValueError(f"{where} ({item['code']}): unknown fields {sorted(unknown)}")
        if item.get("effort") not in Effort.values:
            raise ValueError(f"{where} ({item['code']}): effort must be one of {Effort.values}")
        _check_activity(item, f"{where} ({item['code']})")
        if item["code"] in seen:
            raise ValueError(f"{where}: code {item['code']!r} appears twice")
        seen.add(item["code"])
    return items


@transaction.atomic
def load_catalogue(items: list[dict[str, Any]]) -> int:
    """Create or update ask types by code, in two statements; returns how many were given."""
    rows = [
        AskType(
            code=item["code"],
            name=item["name"],
            effort=item["effort"],
            activity_kind=item.get("activity_kind") or "",
            activity_on=item.get("activity_on") or "",
            default_value=int(item.get("default_value", 0)),
            public=bool(item.get("public", False)),
            prerequisites=item.get("prerequisites") or {},
            description=item.get("description", ""),
            time_needed=item.get("time_needed", ""),
            source=item.get("source", ""),
        )
        for item in items
    ]
    AskType.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["code"], update_fields=list(FIELDS)
    )
    return len(rows)
