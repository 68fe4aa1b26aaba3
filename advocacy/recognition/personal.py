"""What recognition holds about a person, for the privacy export and erasure (customers.holdings).

Badges hang off the contact, so the contact's own deletion removes them (and closes their
public addresses); the export lists them in one query.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from advocacy.customers.holdings import Holding, register
from advocacy.customers.models import Contact
from advocacy.recognition.models import Badge

FIELDS = ("tier", "year", "issued_at", "revoked_at")


def _value(value: Any) -> Any:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


def export_badges(contact: Contact) -> list[dict[str, Any]]:
    rows = Badge.objects.filter(contact=contact).order_by("issued_at", "id").values_list(*FIELDS)
    return [{f: _value(v) for f, v in zip(FIELDS, row, strict=True)} for row in rows]


def _count(contact: Contact) -> int:
    return Badge.objects.filter(contact=contact).count()


def _erase(contact: Contact, now: datetime) -> dict[str, int]:
    return {}  # the contact's deletion removes its badges


def register_holdings() -> None:
    register(
        Holding(key="badges", label="Badges", export=export_badges, count=_count, erase=_erase)
    )
