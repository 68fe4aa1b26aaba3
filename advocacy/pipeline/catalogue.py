"""Load ask types from YAML into the catalogue (the shipped defaults, or a playbook's own)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from advocacy.pipeline.models import AskType, Effort

DEFAULT_CATALOGUE = Path(__file__).with_name("ask_types.yaml")
FIELDS = ("name", "effort", "default_value", "public", "prerequisites", "description", "source")


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
            default_value=int(item.get("default_value", 0)),
            public=bool(item.get("public", False)),
            prerequisites=item.get("prerequisites") or {},
            description=item.get("description", ""),
            source=item.get("source", ""),
        )
        for item in items
    ]
    AskType.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["code"], update_fields=list(FIELDS)
    )
    return len(rows)
