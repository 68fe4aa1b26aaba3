"""What people do with the outbox, in the web UI, the CLI and the API alike.

    preview(ask) -> Rendered                   # the ask's email as it would go now
    send_test(ask, *, actor, now, to="")       # a copy to the team member, sent at once
    send_again(ids, *, now) -> int             # failed messages queued again
    messages_of(ask) / attempts_of(message)
    steps_of(ask, *, now) -> list[Step]        # the ask's channel sequence and what came of it

A preview and a test carry a stand-in for the magic link: a working link would let whoever
reads them act in the portal as the advocate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet

from advocacy.messaging import outbox
from advocacy.messaging.delivery import deliver_one
from advocacy.messaging.models import (
    Channel,
    Message,
    MessageAttempt,
    MessageKind,
    MessageStatus,
)
from advocacy.messaging.rendering import Rendered, render
from advocacy.pipeline.models import Ask, AskStatus


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


@dataclass(frozen=True)
class Step:
    """One step of an ask's channel sequence: when it goes, and what came of it."""

    number: int  # 1 for the first
    channel: str
    channel_label: str
    after_hours: int
    due_at: datetime | None  # None until the first email went out, or for a person's channel
    message: Message | None
    state: str  # in words: sent, waiting until ..., not needed, a CSM's to do

    @property
    def status(self) -> str:
        return self.message.status if self.message is not None else ""


CHANNEL_LABELS = {"email": "Email", "in_app": "In the product", "csm": "The CSM", "": "Email"}


def _step_state(
    ask: Ask, number: int, channel: str, due: datetime | None, m: Message | None, now: datetime
) -> str:
    if m is not None:
        words = m.get_status_display().lower()
        when = f" {m.sent_at:%Y-%m-%d %H:%M} UTC" if m.sent_at else ""
        return f"{words}{when}" + (f": {m.reason}" if m.reason else "")
    if channel not in outbox.STEP_KINDS and channel != "":
        return "done by a person, not by the outbox"
    if number == 1:
        return "written when the ask is queued"
    if ask.status != AskStatus.SENT and ask.sent_at is not None:
        return f"not needed: the ask is {ask.get_status_display().lower()}"
    if due is None:
        return "waiting for the first email to go out"
    if ask.paused_at is not None:
        return "waiting: the ask is paused"
    if due <= now:
        return "due: the worker writes it at its next pass"
    return f"waiting until {due:%Y-%m-%d %H:%M} UTC, if there is no answer by then"


def steps_of(ask: Ask, *, now: datetime) -> list[Step]:
    """The ask's sequence, each step with its moment and its message: two queries."""
    sequence = ask.sequence or [{"channel": ask.channel or "email", "after_hours": 0}]
    mine = list(messages_of(ask).exclude(kind=MessageKind.TEST))
    first = [
        m.sent_at for m in mine if m.kind in (MessageKind.ASK, MessageKind.INVITE) and m.sent_at
    ]
    start = min(first) if first else ask.sent_at
    found: dict[int, Message] = {}
    for one in mine:
        if one.kind in (MessageKind.ASK, MessageKind.INVITE) and one.step == 0:
            found.setdefault(0, one)
        elif one.step > 0:
            found.setdefault(one.step, one)
    steps = []
    for i, entry in enumerate(sequence):
        channel = str(entry.get("channel", ""))
        hours = int(entry.get("after_hours", 0))
        due = start + timedelta(hours=hours) if start is not None and i else start
        m = found.get(i)
        steps.append(
            Step(
                number=i + 1,
                channel=channel or "email",
                channel_label=CHANNEL_LABELS.get(channel, channel.replace("_", " ").capitalize()),
                after_hours=hours,
                due_at=due,
                message=m,
                state=_step_state(ask, i + 1, channel, due, m, now),
            )
        )
    return steps


def listing(
    *, status: str = "", ask_id: int | None = None, owner: Any = None, channel: str = ""
) -> QuerySet[Message]:
    rows = with_related(Message.objects.all())
    if channel:
        if channel not in Channel.values:
            raise MessagingError(
                f"no such channel: {channel!r}; one of {', '.join(Channel.values)}"
            )
        rows = rows.filter(channel=channel)
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
