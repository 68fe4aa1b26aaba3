"""Schemas of the portal's staff side: a portal link, the notices of what advocates did."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from advocacy.api.schemas import MAX_ID, Id
from advocacy.pipeline.notices import NoticeKind


class PortalLinkIn(Schema):
    ask_id: Id | None = Field(None, description="The ask the link is about (one of theirs)")


class PortalLinkOut(Schema):
    contact_id: int
    email: str
    url: str = Field(description="The magic link: it opens the contact's portal once")
    expires_at: datetime
    ask_id: int | None


class NoticeFilters(Schema):
    mine: bool = Field(False, description="Only those for the caller (or the caller's role)")
    contact_id: int | None = Field(None, ge=1, le=MAX_ID)
    kind: NoticeKind | None = None
    undelivered: bool = Field(False, description="Only those not yet sent by email or Slack")


class NoticeOut(Schema):
    id: int
    kind: NoticeKind
    contact_id: int | None = Field(description="The advocate it is about; none for a request")
    ask_id: int | None
    recipient: str | None = Field(description="The username it is for; none: anyone of role")
    role: str
    text: str
    at: datetime
    delivered_at: datetime | None

    @staticmethod
    def resolve_recipient(obj: object) -> str | None:
        user = getattr(obj, "recipient", None)
        return None if user is None else str(user.get_username())
