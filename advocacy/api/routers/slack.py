"""/api/slack/posts: the team's notices posted on Slack (a member's direct message or the
program's channel), their state and Slack's words when it refused; a failed one sent again
(`asks:write`, who may send a failed email again)."""

from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from advocacy.api.routing import ScopedRouter
from advocacy.api.schemas import MAX_ID, ErrorOut, Page
from advocacy.integrations.slack.models import PostStatus, SlackPost, Target
from advocacy.integrations.slack.services import NoSuchPost, SlackError, posts, resend

router = ScopedRouter(tags=["slack"])
POST_ID = Path(..., ge=1, le=MAX_ID)


class SlackPostOut(Schema):
    id: int
    notice_id: int
    notice: str = Field(description="The notice's text")
    target: Target = Field(description="dm: the recipient's direct message; channel: the program's")
    to: str = Field(description="The recipient's address, or the channel")
    status: PostStatus
    attempts: int
    error: str = Field(description="Slack's refusal, or the last failure for now")
    created_at: datetime
    due_at: datetime
    posted_at: datetime | None

    @staticmethod
    def resolve_notice(post: SlackPost) -> str:
        return post.notice.text


class SlackPostFilters(Schema):
    status: PostStatus | None = None


@router.get("/slack/posts", response=list[SlackPostOut], operation_id="list_slack_posts")
@paginate(Page)
def list_slack_posts(request: HttpRequest, filters: Query[SlackPostFilters]) -> QuerySet[SlackPost]:
    """Every Slack post, newest first; `status=failed` for those Slack refused."""
    return posts(status=filters.status or "")


@router.post(
    "/slack/posts/{int:post_id}/resend",
    response={200: SlackPostOut, 404: ErrorOut, 409: ErrorOut},
    operation_id="resend_slack_post",
)
def resend_slack_post(request: HttpRequest, post_id: int = POST_ID) -> SlackPost:
    """Send a failed Slack post again: queued, due at once, its attempts counted afresh (the
    worker's next pass posts it); 409 unless it failed."""
    try:
        return resend(post_id, now=timezone.now())
    except NoSuchPost as exc:
        raise HttpError(404, str(exc)) from None
    except SlackError as exc:
        raise HttpError(409, str(exc)) from None
