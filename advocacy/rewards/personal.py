"""What rewards hold about a person, for the privacy export and erasure (customers.holdings).

The entries and redemptions hang off the contact, so the contact's own deletion removes them;
the export lists them, two queries whatever the person holds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from advocacy.customers.holdings import Holding, register
from advocacy.customers.models import Contact
from advocacy.rewards.models import Entry, Redemption

ENTRY_FIELDS = (
    "kind",
    "amount_cents",
    "reason",
    "ask_id",
    "referral_id",
    "reward_type",
    "quarter",
    "at",
)
REDEMPTION_FIELDS = (
    "reward_type",
    "charity",
    "amount_cents",
    "status",
    "quarter",
    "requested_at",
    "fulfilled_at",
    "delivered",
)


def _value(value: Any) -> Any:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


def export_rewards(contact: Contact) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"type": "entry", **dict(zip(ENTRY_FIELDS, map(_value, row), strict=True))}
        for row in Entry.objects.filter(contact=contact).values_list(*ENTRY_FIELDS)
    ]
    rows += [
        {
            "type": "redemption",
            **{f: _value(v) for f, v in zip(REDEMPTION_FIELDS, row, strict=True)},
        }
        for row in Redemption.objects.filter(contact=contact).values_list(*REDEMPTION_FIELDS)
    ]
    return rows


def _count(contact: Contact) -> int:
    return Entry.objects.filter(contact=contact).count() + contact.redemptions.count()


def _erase(contact: Contact, now: datetime) -> dict[str, int]:
    return {}  # the contact's deletion removes its entries and redemptions


def register_holdings() -> None:
    register(
        Holding(
            key="rewards",
            label="Rewards",
            export=export_rewards,
            count=_count,
            erase=_erase,
        )
    )
