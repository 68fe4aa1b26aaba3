"""/api/queue: the work queue, what to act on now, as the home page shows it (`read`)."""

from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Schema

from advocacy.api.auth import principal_of
from advocacy.api.routing import ScopedRouter
from advocacy.workqueue.queue import LIMIT, work_queue

router = ScopedRouter(tags=["queue"])


class QueueFilters(Schema):
    mine: bool = Field(False, description="Only the caller's own asks, requests and content")
    limit: int = Field(LIMIT, ge=1, le=100, description="Items per section")


class QueueItemOut(Schema):
    target: Literal["ask", "asset", "request", "contact"] = Field(
        description="What the item is about: /api/asks/{id}, /api/content/{id}, "
        "/api/references/{id} or /api/contacts/{id}"
    )
    target_id: int
    text: str
    at: str | None = Field(description="The moment that makes it urgent (ISO 8601), if any")
    action: str = Field(description="The action offered; 'Open' when the role may not act")


class QueueSectionOut(Schema):
    code: Literal["overdue", "missed_window", "approvals", "unfilled", "consents", "replies"]
    title: str
    total: int = Field(description="How many items the section holds, beyond those listed")
    items: list[QueueItemOut]


class QueueOut(Schema):
    sections: list[QueueSectionOut]


@router.get("/queue", response=QueueOut, operation_id="get_work_queue")
def get_work_queue(request: HttpRequest, filters: Query[QueueFilters]) -> dict[str, Any]:
    """Asks overdue or past their send window, content waiting for approval, reference
    requests not filled, consents ending within 30 days, and replies from advocates to the
    caller in the last 14 days; each section's first `limit` items, most urgent first."""
    user = principal_of(request).user
    sections = work_queue(user, now=timezone.now(), mine=filters.mine, limit=filters.limit)
    return {"sections": [section.as_dict() for section in sections]}
