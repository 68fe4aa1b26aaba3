"""What value moments hold about a person, for the privacy export and erasure.

The value moments and the weekly opt-in hang off the contact (and each moment off its outbox
row), so the contact's own deletion removes them; the export lists them, two queries.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from advocacy.customers.holdings import Holding, register
from advocacy.customers.models import Contact
from advocacy.value.models import InsightsPreference, ValueMoment


def _at(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def export_value(contact: Contact) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"type": "value_moment", "kind": kind, "period": period, "written_at": _at(at)}
        for kind, period, at in ValueMoment.objects.filter(contact=contact)
        .order_by("created_at", "pk")
        .values_list("kind", "period", "created_at")
    ]
    rows += [
        {"type": "weekly_insights", "weekly": weekly, "set_in": where, "set_at": _at(at)}
        for weekly, where, at in InsightsPreference.objects.filter(contact=contact).values_list(
            "weekly", "set_in", "set_at"
        )
    ]
    return rows


def _count(contact: Contact) -> int:
    return (
        ValueMoment.objects.filter(contact=contact).count()
        + InsightsPreference.objects.filter(contact=contact).count()
    )


def _erase(contact: Contact, now: datetime) -> dict[str, int]:
    return {}  # the contact's deletion removes them


def register_holdings() -> None:
    register(
        Holding(key="value", label="Value moments", export=export_value, count=_count, erase=_erase)
    )
