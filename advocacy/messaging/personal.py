"""What the outbox holds about a person, for the privacy export and erasure.

Registered in advocacy.customers.holdings by this app's AppConfig.ready(): the privacy app
(the same layer as this one, and independent of it) reads the registry and never imports it.

    messages: every message to or about the contact (their asks' emails, reminders, in-product
              reminders, the invites of their reference calls to the seller and the prospect),
              and those that went to their address for someone else's call, with each attempt
    product_events: the in-product reminders for them on the product's feed

The erasure deletes the contact, and their messages and events with it (on_delete); this
deletes besides the messages that went to their address on someone else's behalf (a call's
invite to them as a prospect or a seller).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import Q, QuerySet

from advocacy.customers.holdings import Holding, register
from advocacy.customers.models import Contact
from advocacy.messaging.models import Message, ProductEvent

MESSAGE_FIELDS = ("id", "kind", "channel", "step", "status", "ask_id", "call_id", "subject",
                  "message_id", "created_at", "due_at", "sent_at", "attempts", "reason_code",
                  "reason")  # fmt: skip
ATTEMPT_FIELDS = ("at", "result", "smtp_code", "error")


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def _row(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _value(getattr(obj, name)) for name in names}


def _theirs(contact: Contact) -> Q:
    email = contact.email
    return Q(contact=contact) | Q(to_email__iexact=email) | Q(to_address__iexact=email)


def messages_to_or_about(contact: Contact) -> QuerySet[Message]:
    return Message.objects.filter(_theirs(contact))


def export_messages(contact: Contact) -> list[dict[str, Any]]:
    """Two queries: the messages, and their attempts."""
    rows = (
        messages_to_or_about(contact)
        .select_related("contact")
        .prefetch_related("attempt_rows")
        .order_by("created_at", "id")
    )
    return [
        {
            **_row(m, MESSAGE_FIELDS),
            "to": m.to_address or m.to_email or (m.contact.email if m.contact else ""),
            "attempt_list": [_row(a, ATTEMPT_FIELDS) for a in m.attempt_rows.all()],
        }
        for m in rows
    ]


def export_events(contact: Contact) -> list[dict[str, Any]]:
    return [
        {"id": e.pk, "type": e.type, "occurred_at": _value(e.occurred_at), "payload": e.payload}
        for e in ProductEvent.objects.filter(contact=contact).order_by("id")
    ]


def erase_messages(contact: Contact, now: datetime) -> dict[str, int]:
    """Delete the messages that went to the person's address for someone else: one DELETE
    (with their attempts). Their own go with the contact."""
    _, deleted = messages_to_or_about(contact).exclude(contact=contact).delete()
    return deleted


def erase_nothing(contact: Contact, now: datetime) -> dict[str, int]:
    """The person's product events go with the contact (on_delete)."""
    return {}


def register_holdings() -> None:
    register(
        Holding(
            key="messages",
            label="Messages",
            export=export_messages,
            count=lambda c: messages_to_or_about(c).count(),
            erase=erase_messages,
        )
    )
    register(
        Holding(
            key="product_events",
            label="Product events",
            export=export_events,
            count=lambda c: ProductEvent.objects.filter(contact=c).count(),
            erase=erase_nothing,
        )
    )
