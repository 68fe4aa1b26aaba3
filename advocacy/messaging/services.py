"""What people do with the outbox, in the web UI, the CLI and the API alike.

    preview(ask) -> Rendered                   # the ask's email as it would go now
    send_test(ask, *, actor, now, to="")       # a copy to the team member, sent at once
    send_again(ids, *, now) -> int             # failed messages queued again
    messages_of(ask) / attempts_of(message)

A preview and a test carry a stand-in for the magic link: a working link would let whoever
reads them act in the portal as the advocate.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet

from advocacy.messaging import outbox
from advocacy.messaging.delivery import deliver_one
from advocacy.messaging.models import Message, MessageAttempt, MessageKind, MessageStatus
from advocacy.messaging.rendering import Rendered, render
from advocacy.pipeline.models import Ask


class MessagingError(Exception):
    """A request the outbox cannot do (no address to send a test to, nothing to retry)."""


def preview_link() -> str:
    return f"{settings.SITE_URL}/portal/enter/PREVIEW-the-advocate-gets-their-own-link/"


def with_related(messages: QuerySet[Message]) -> QuerySet[Message]:
    return messages.select_related(
        "contact__account__owner", "ask__ask_type", "ask__owner", "ask__trigger_signal"
    )


def _draft(ask: Ask, kind: str) -> Message:
    """An unsaved message of `kind` for `ask`, to render."""
    message = Message(
        kind=kind,
        ask=ask,
        contact=ask.contact,
        message_id=f"<preview-{ask.pk}@{settings.DEFAULT_FROM_EMAIL.rpartition('@')[2]}>",
    )
    return message


def preview(ask: Ask, *, kind: str = MessageKind.ASK) -> Rendered:
    """The email `ask` sends (its first by default), rendered now, with a stand-in link."""
    if kind not in (MessageKind.ASK, MessageKind.INVITE, MessageKind.REMINDER, MessageKind.THANKS):
        raise MessagingError(f"no such email: {kind!r}; one of ask, invite, reminder, thanks")
    return render(_draft(ask, kind), link=preview_link())


def send_test(ask: Ask, *, actor: Any, now: datetime, to: str = "") -> Message:
    """Send the ask's email to the team member (their own address, or `to`) now: written to
    the outbox and delivered at once; if the server fails for now, a worker retries it."""
    address = (to or getattr(actor, "email", "") or "").strip()
    if not address:
        raise MessagingError(
            "no address to send the test to: give your user an email address, or name one"
        )
    try:
        validate_email(address)
    except ValidationError:
        raise MessagingError(f"{address!r} is not an email address") from None
    message = outbox.queue_test(ask, address, actor=actor, now=now)
    return deliver_one(message, now=now)


def send_again(ids: Iterable[int], *, now: datetime) -> int:
    """Queue the failed messages among `ids` again, their attempts counted afresh."""
    wanted = sorted(set(ids))
    count = outbox.send_again(Message.objects.filter(pk__in=wanted), now=now)
    if wanted and not count:
        raise MessagingError("only failed messages can be sent again")
    return count


def messages_of(ask: Ask) -> QuerySet[Message]:
    return Message.objects.filter(ask=ask).order_by("created_at", "pk")


def attempts_of(message: Message) -> QuerySet[MessageAttempt]:
    return MessageAttempt.objects.filter(message=message).order_by("at", "pk")


def listing(*, status: str = "", ask_id: int | None = None, owner: Any = None) -> QuerySet[Message]:
    rows = with_related(Message.objects.all())
    if status:
        if status not in MessageStatus.values:
            raise MessagingError(
                f"no such status: {status!r}; one of {', '.join(MessageStatus.values)}"
            )
        rows = rows.filter(status=status)
    if ask_id is not None:
        rows = rows.filter(ask_id=ask_id)
    if owner is not None:
        rows = rows.filter(ask__owner=owner)
    return rows.order_by("-created_at", "-pk")
