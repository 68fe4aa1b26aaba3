"""Schemas of the outbox: emails to advocates, their attempts, previews and tests."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from advocacy.api.schemas import MAX_ID, bounded
from advocacy.messaging.models import Channel, MessageStatus


class MessageFilters(Schema):
    status: MessageStatus | None = None
    channel: Channel | None = Field(None, description="email, or in_app (in-product reminders)")
    ask_id: int | None = Field(None, ge=1, le=MAX_ID)
    mine: bool = Field(False, description="Only the emails of asks the caller owns")


class AttemptOut(Schema):
    at: datetime
    result: str = Field(description="sent, transient (retried) or permanent (stopped)")
    smtp_code: int | None = Field(
        description="The mail server's reply code (the receiver's HTTP status for an in-product "
        "reminder), if it gave one"
    )
    error: str


class MessageOut(Schema):
    id: int
    kind: str = Field(
        description="ask, invite, reminder, thanks, approval, nudge, calendar, test or notice"
    )
    channel: str = Field(description="email, or in_app: an in-product reminder (a product event)")
    step: int = Field(description="Its step in the ask's sequence: 0 the first")
    status: str = Field(description="queued, sending, sent, failed, held or cancelled")
    ask_id: int | None
    contact_id: int | None = Field(description="The advocate; a notice's may be none")
    notice_id: int | None = Field(description="The notice it tells its team member of")
    to: str = Field(description="The address it goes (or went) to")
    subject: str = Field(description="Written when it is sent")
    message_id: str = Field(description="Its Message-ID header, the same at every attempt")
    created_at: datetime
    due_at: datetime = Field(description="When it may go next")
    sent_at: datetime | None
    attempts: int
    reason_code: str = Field(
        description="Why it is held, cancelled, failed or waiting (opted_out, unsubscribed, "
        "suppressed, left_company, paused, ask_moved, quiet_hours, retrying, refused, "
        "bad_address, gave_up, hook_refused); empty otherwise"
    )
    reason: str

    @staticmethod
    def resolve_to(obj: Any) -> str:
        return str(obj.to_address or obj.to_email or (obj.contact.email if obj.contact else ""))


class MessageDetailOut(MessageOut):
    attempt_list: list[AttemptOut] = Field(description="Every attempt, oldest first")


class PreviewFilters(Schema):
    kind: Literal["ask", "invite", "reminder", "thanks"] = Field(
        "ask", description="Which of the ask's emails: ask, invite, reminder or thanks"
    )


class PreviewOut(Schema):
    subject: str
    from_header: str = Field(description="The From header: the ask's owner")
    to: str
    headers: dict[str, str]
    text: str
    html: str


class TestIn(Schema):
    to: Annotated[str, bounded(254)] = Field(
        "", description="Where to send it (default: your address)"
    )


class RetryOut(Schema):
    queued: int


class StepOut(Schema):
    number: int = Field(description="1 for the first step")
    channel: str = Field(description="email, in_app, or a person's channel (csm)")
    after_hours: int = Field(description="Hours after the first email it goes, if unanswered")
    due_at: datetime | None = Field(description="When it goes (once the first email went out)")
    message_id: int | None = Field(description="The outbox message of this step, once written")
    status: str = Field(description="The message's status; empty until it is written")
    state: str = Field(description="What came of it, in words")

    @staticmethod
    def resolve_message_id(obj: Any) -> int | None:
        return obj.message.pk if obj.message is not None else None


class EventFilters(Schema):
    since: int = Field(0, ge=0, le=MAX_ID, description="The cursor: the last event id you read")
    limit: int = Field(100, ge=1, le=500)


class EventContactOut(Schema):
    id: int
    email: str
    name: str


class EventAccountOut(Schema):
    id: int
    name: str


class EventAskOut(Schema):
    id: int
    type: str = Field(description="The ask type's code")
    name: str


class ProductEventOut(Schema):
    id: int = Field(description="The event's id: the cursor, and the receiver's dedupe key")
    type: str = Field(description="ask.reminder")
    occurred_at: datetime
    contact: EventContactOut
    account: EventAccountOut
    ask: EventAskOut | None
    step: int
    text: str = Field(description="What to show")
    link: str = Field(description="Where the person answers (their portal)")


class EventFeedOut(Schema):
    events: list[ProductEventOut]
    next: int = Field(description="The cursor of the next call (`since`)")


class FolderEmailOut(Schema):
    key: str = Field(description="Its key in the folder: `<file>:<position>`")
    file: str
    message_id: str
    sender: str = Field(alias="from")
    to: str
    subject: str
    date: str
    attachments: list[str]


class FolderEmailDetailOut(FolderEmailOut):
    text: str
    html: str


class FolderOut(Schema):
    folder: str
    emails: list[FolderEmailOut]


class FolderFilters(Schema):
    limit: int = Field(20, ge=1, le=500)
