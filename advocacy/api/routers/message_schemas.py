"""Schemas of the outbox: emails to advocates, their attempts, previews and tests."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from advocacy.api.schemas import MAX_ID, bounded
from advocacy.messaging.models import MessageStatus


class MessageFilters(Schema):
    status: MessageStatus | None = None
    ask_id: int | None = Field(None, ge=1, le=MAX_ID)
    mine: bool = Field(False, description="Only the emails of asks the caller owns")


class AttemptOut(Schema):
    at: datetime
    result: str = Field(description="sent, transient (retried) or permanent (stopped)")
    smtp_code: int | None = Field(description="The mail server's reply code, if it gave one")
    error: str


class MessageOut(Schema):
    id: int
    kind: str = Field(description="ask, invite, reminder, thanks, approval, test or notice")
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
        "bad_address, gave_up); empty otherwise"
    )
    reason: str

    @staticmethod
    def resolve_to(obj: Any) -> str:
        return str(obj.to_address or obj.test_to or (obj.contact.email if obj.contact else ""))


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
