"""/api/search: contacts, accounts, asks, reference requests and content that start with the
text, grouped by type (`read`)."""

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema

from advocacy.api.auth import principal_of
from advocacy.api.errors import BatchRejected, item_error
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import bounded
from advocacy.workqueue.search import LIMIT, MAX_LENGTH, search

router = ScopedRouter(tags=["search"])


class SearchFilters(Schema):
    q: Annotated[str, bounded(MAX_LENGTH)] = Field(
        "", description="The start of a name, an email, a company, a title; `#123` for an ask"
    )
    limit: int = Field(LIMIT, ge=1, le=50, description="Results per group")


class HitOut(Schema):
    kind: Literal["contact", "account", "ask", "request", "content"] = Field(
        description="What it is: /api/contacts/{id}, /api/accounts/{id}, /api/asks/{id}, "
        "/api/references/requests/{id} or /api/content/{id}"
    )
    id: int
    title: str
    detail: str


class GroupOut(Schema):
    results: list[HitOut]
    more: bool = Field(description="More match than `limit`; narrow the text")


class SearchOut(Schema):
    query: str = Field(description="The text searched for, lower-cased, spaces collapsed")
    groups: dict[str, GroupOut] = Field(
        description="By type: contacts, accounts, asks, requests, content; only the types "
        "the caller's role may see"
    )


@router.get("", response=SearchOut, operation_id="search")
def search_everything(request: HttpRequest, filters: Query[SearchFilters]) -> dict[str, Any]:
    """What starts with `q`, grouped by type, each group a prefix match on an index."""
    try:
        results = search(filters.q, user=principal_of(request).user, limit=filters.limit)
    except ValueError as exc:
        raise BatchRejected([item_error(None, "q", str(exc), "value_error")]) from None
    return results.as_dict()
