"""What people do with the Slack posts, in the web UI, the CLI and the API alike.

    posts(status="") -> QuerySet[SlackPost]      # newest first, with their notices
    resend(post_id, *, now) -> SlackPost         # a failed post queued again by hand

Sending again is the outbox's "Send again" for Slack: only a failed post (Slack refused it, or
it ran out of attempts) goes back to the queue, due at once, its attempts counted afresh; the
worker's next pass posts it. Who may is who may send a failed email again (`messages.retry`).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from advocacy.integrations.slack.models import PostStatus, SlackPost

S = PostStatus


class SlackError(Exception):
    """A request about Slack posts that cannot be done (no such post, one that did not fail)."""


class NoSuchPost(SlackError):
    pass


def posts(*, status: str = "") -> QuerySet[SlackPost]:
    """The Slack posts, newest first, with their notices and recipients (`status`: only those)."""
    rows = SlackPost.objects.select_related("notice__recipient")
    if status:
        if status not in S.values:
            raise SlackError(f"no such status: {status!r}; one of {', '.join(S.values)}")
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def find(post_id: int) -> SlackPost:
    post = posts().filter(pk=post_id).first()
    if post is None:
        raise NoSuchPost(f"no Slack post {post_id}")
    return post


@transaction.atomic
def resend(post_id: int, *, now: datetime) -> SlackPost:
    """Queue the failed post `post_id` again, due at `now`, its attempts counted afresh; refused
    (SlackError) unless it failed. One conditional UPDATE: two presses queue it once."""
    queued = SlackPost.objects.filter(pk=post_id, status=S.FAILED).update(
        status=S.QUEUED, due_at=now, attempts=0, error="", lease_until=None, claim=""
    )
    post = find(post_id)
    if not queued:
        raise SlackError(
            f"only a failed Slack post can be sent again: post {post_id} is "
            f"{post.get_status_display().lower()}"
        )
    return post
