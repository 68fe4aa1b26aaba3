"""/api/messages (the outbox), /api/asks/{id}/email, /api/asks/{id}/email/test,
/api/asks/{id}/steps (the ask's channel sequence), /api/product-events (the feed) and
/api/mail-folder (the emails written as files, when ADVOCACY_EMAIL_URL is a file:// URL).

Every email to an advocate is a message: written when its ask is queued (or offered, or
completed), sent by the worker, held or failed with a reason. `asks:write` sends a test of an
ask's email to the caller and sends a failed message again.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Path, Query
from ninja.errors import HttpError
from ninja.pagination import paginate

from advocacy.api.auth import principal_of
from advocacy.api.routers.message_schemas import (
    EventFeedOut,
    EventFilters,
    FolderEmailDetailOut,
    FolderFilters,
    FolderOut,
    MessageDetailOut,
    MessageFilters,
    MessageOut,
    PreviewFilters,
    PreviewOut,
    RetryOut,
    StepOut,
    TestIn,
)
from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, ErrorOut, Page
from advocacy.messaging import mailfolder
from advocacy.messaging.models import Message
from advocacy.messaging.product import event_out, feed
from advocacy.messaging.services import (
    MessagingError,
    attempts_of,
    listing,
    preview,
    send_again,
    send_test,
    steps_of,
    with_related,
)
from advocacy.pipeline.models import Ask

router = ScopedRouter(tags=["outbox"])
MESSAGE_ID = Path(..., ge=1, le=MAX_ID)
ASK_ID = Path(..., ge=1, le=MAX_ID)


def _ask(ask_id: int) -> Ask:
    return get_object_or_404(
        Ask.objects.select_related(
            "contact__account__owner", "ask_type", "owner", "trigger_signal"
        ),
        pk=ask_id,
    )


def _detail(message: Message) -> Message:
    message.attempt_list = list(attempts_of(message))  # type: ignore[attr-defined]
    return message


@router.get("/messages", response=list[MessageOut], operation_id="list_messages")
@paginate(Page)
def list_messages(request: HttpRequest, filters: Query[MessageFilters]) -> QuerySet[Message]:
    """Every message, newest first; filter by `status`, `channel`, `ask_id`, or `mine` (the
    caller's asks)."""
    owner = principal_of(request).user if filters.mine else None
    return listing(
        status=filters.status or "",
        ask_id=filters.ask_id,
        owner=owner,
        channel=filters.channel or "",
    )


@router.get("/messages/{int:message_id}", response=MessageDetailOut, operation_id="get_message")
def get_message(request: HttpRequest, message_id: int = MESSAGE_ID) -> Message:
    """One email, its state and why, and every attempt to send it."""
    return _detail(get_object_or_404(with_related(Message.objects.all()), pk=message_id))


@router.post(
    "/messages/{int:message_id}/retry",
    response={200: RetryOut, 409: ErrorOut},
    operation_id="retry_message",
)
def retry_message(request: HttpRequest, message_id: int = MESSAGE_ID) -> dict[str, int]:
    """Send a failed email again (its attempts counted afresh); 409 unless it failed."""
    message = get_object_or_404(Message, pk=message_id)
    try:
        return {"queued": send_again([message.pk], now=timezone.now())}
    except MessagingError as exc:
        raise HttpError(409, str(exc)) from None


@router.get("/asks/{int:ask_id}/email", response=PreviewOut, operation_id="preview_ask_email")
def preview_ask_email(
    request: HttpRequest, filters: Query[PreviewFilters], ask_id: int = ASK_ID
) -> Any:
    """The ask's email as it would go now (`kind`: its ask, invitation, reminder or thanks),
    with a stand-in for the advocate's magic link."""
    return preview(_ask(ask_id), kind=filters.kind)


@router.get("/asks/{int:ask_id}/steps", response=list[StepOut], operation_id="list_ask_steps")
def list_ask_steps(request: HttpRequest, ask_id: int = ASK_ID) -> Any:
    """The ask's channel sequence: each step, when it goes, its message and what came of it."""
    return steps_of(_ask(ask_id), now=timezone.now())


@router.get("/product-events", response=EventFeedOut, operation_id="list_product_events")
def list_product_events(request: HttpRequest, filters: Query[EventFilters]) -> dict[str, Any]:
    """The in-product reminders for the customer's product to show, oldest first, after the
    cursor `since` (the last id read; `next` is the one to pass next). Needs the
    `product_events:read` scope."""
    events = feed(filters.since, filters.limit)
    return {
        "events": [event_out(e) for e in events],
        "next": events[-1].pk if events else filters.since,
    }


def _folder_on() -> None:
    if not mailfolder.enabled():
        raise HttpError(404, "emails go to a mail server here: there is no mail folder")


@router.get("/mail-folder", response=FolderOut, operation_id="list_mail_folder", by_alias=True)
def list_mail_folder(request: HttpRequest, filters: Query[FolderFilters]) -> dict[str, Any]:
    """The emails the program wrote as files, newest first (404 when it sends to a mail server).
    They hold the advocates' working portal links: it takes the right to take a portal link."""
    _folder_on()
    entries = mailfolder.entries(filters.limit)
    return {"folder": str(mailfolder.folder()), "emails": [e.as_dict() for e in entries]}


@router.get(
    "/mail-folder/{key}",
    response=FolderEmailDetailOut,
    operation_id="get_mail_folder_email",
    by_alias=True,
)
def get_mail_folder_email(
    request: HttpRequest, key: str = Path(..., max_length=300, pattern=r"^[^\x00/]+$")
) -> dict[str, Any]:
    """One email of the folder, with its plain text and HTML parts."""
    _folder_on()
    entry = mailfolder.entry(key)
    if entry is None:
        raise HttpError(404, f"no email {key!r} in the mail folder")
    return entry.as_dict(bodies=True)


@router.post(
    "/asks/{int:ask_id}/email/test",
    response={200: MessageOut, 422: ErrorOut},
    operation_id="send_test_email",
)
def send_test_email(request: HttpRequest, payload: TestIn, ask_id: int = ASK_ID) -> Message:
    """Send the ask's email to the caller now (or to `to`): the answer says whether it went."""
    try:
        return send_test(
            _ask(ask_id), actor=principal_of(request).user, now=timezone.now(), to=payload.to
        )
    except MessagingError as exc:
        raise HttpError(422, str(exc)) from None
