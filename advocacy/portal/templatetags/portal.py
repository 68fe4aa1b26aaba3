"""Template filters of the portal: states in the advocate's words, not the team's."""

from __future__ import annotations

from django import template

from advocacy.content.models import AssetStatus
from advocacy.pipeline.models import AskStatus

register = template.Library()

ASK_WORDS: dict[str, str] = {
    AskStatus.PROPOSED: "Planned",
    AskStatus.QUEUED: "Planned",
    AskStatus.SENT: "Waiting for your answer",
    AskStatus.ACCEPTED: "You said yes",
    AskStatus.DECLINED: "You said no",
    AskStatus.EXPIRED: "No answer in time",
    AskStatus.SCHEDULED: "Booked",
    AskStatus.COMPLETED: "Done",
    AskStatus.PUBLISHED: "Published",
    AskStatus.CANCELLED: "Withdrawn",
}
ASSET_WORDS: dict[str, str] = {
    AssetStatus.DRAFT: "Being drafted",
    AssetStatus.ADVOCATE_REVIEW: "Waiting for your review",
    AssetStatus.APPROVED: "Approved",
    AssetStatus.PUBLISHED: "Published",
    AssetStatus.EXPIRED: "Permission ended",
    AssetStatus.REVOKED: "Not used",
}


@register.filter
def ask_words(status: str) -> str:
    return ASK_WORDS.get(status, status)


@register.filter
def asset_words(status: str) -> str:
    return ASSET_WORDS.get(status, status)
