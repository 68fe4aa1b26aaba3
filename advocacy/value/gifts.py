"""What the program gave each person, recorded as `value_given` program signals.

The engine (a lower layer) cannot read the ledger or the outbox, so what they hold is copied
down as signals it can read: the reciprocity balance and the give-before-ask rule
(advocacy.engine.reciprocity) count them. One signal per gift, unique per (source, key), so
`record_gifts` run any number of times records each once:

| gift | key | value | at |
|---|---|---|---|
| a reward credit (ledger) | value_given:credit:<entry> | +1 | the entry's moment |
| a credit reversed | value_given:reversal:<entry> | -1 | the reversal's moment |
| a value moment sent | value_given:moment:<message> | +1 | when it was sent |
| recognition: a new tier told | value_given:tier:<message> | +1 | when it was sent |
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat

from advocacy.messaging.models import Message, MessageKind, MessageStatus
from advocacy.rewards.models import Entry, EntryKind
from advocacy.signals.models import Signal, SignalKind

SOURCE = "program"
LIMIT = 10_000


def _recorded(prefix: str) -> Exists:
    key = Concat(Value(prefix), Cast(OuterRef("pk"), CharField()), output_field=CharField())
    return Exists(Signal.objects.filter(source=SOURCE, key=key))


def _write(prefix: str, rows: QuerySet[Any], what: str, value: float) -> int:
    found = list(rows.exclude(_recorded(prefix)).order_by("pk")[:LIMIT])
    Signal.objects.bulk_create(
        [
            Signal(
                source=SOURCE,
                key=f"{prefix}{pk}",
                kind=SignalKind.VALUE_GIVEN,
                account_id=account_id,
                contact_id=contact_id,
                occurred_at=at,
                value=value,
                text=what,
            )
            for pk, contact_id, account_id, at in found
        ],
        ignore_conflicts=True,
    )
    return len(found)


def record_gifts(now: datetime) -> dict[str, int]:
    """Record every gift up to `now` not yet recorded: one read and one insert per kind."""
    fields = ("pk", "contact_id", "contact__account_id")
    credits = Entry.objects.filter(kind=EntryKind.CREDIT, at__lte=now)
    reversed_ = Entry.objects.filter(
        kind=EntryKind.REVERSAL, reverses__kind=EntryKind.CREDIT, at__lte=now
    )
    sent = Message.objects.filter(status=MessageStatus.SENT, sent_at__lte=now)
    return {
        "credits": _write(
            "value_given:credit:", credits.values_list(*fields, "at"), "reward credit", 1
        ),
        "reversals": _write(
            "value_given:reversal:", reversed_.values_list(*fields, "at"), "credit reversed", -1
        ),
        "moments": _write(
            "value_given:moment:",
            sent.filter(kind=MessageKind.VALUE).values_list(*fields, "sent_at"),
            "value moment",
            1,
        ),
        "recognition": _write(
            "value_given:tier:",
            sent.filter(kind=MessageKind.TIER).values_list(*fields, "sent_at"),
            "recognition",
            1,
        ),
    }
