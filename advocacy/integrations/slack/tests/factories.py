"""Slack posts in a given state, for the tests of the pages, the command and the API."""

from __future__ import annotations

from typing import Any

from advocacy.integrations.slack.models import SlackPost, Target
from advocacy.pipeline.models import Ask, AskStatus
from advocacy.pipeline.notices import Notice, NoticeKind
from advocacy.pipeline.team_notices import assigned
from advocacy.pipeline.tests.factories import NOW, make_ask


def notice_for(user: Any) -> Notice:
    """A notice of an ask given to `user`."""
    ask = make_ask(status=AskStatus.SENT)
    Ask.objects.filter(pk=ask.pk).update(owner=user)
    assigned([ask.pk], now=NOW)
    return Notice.objects.get(ask=ask, kind=NoticeKind.ASK_ASSIGNED)


def post_of(user: Any, status: str, **fields: Any) -> SlackPost:
    """A direct message to `user` of a new notice, in `status`."""
    defaults: dict[str, Any] = {
        "target": Target.DM,
        "to": user.email,
        "created_at": NOW,
        "due_at": NOW,
        "attempts": 1,
        "error": "Slack said users_not_found" if status == "failed" else "",
    }
    return SlackPost.objects.create(
        notice=notice_for(user), status=status, **{**defaults, **fields}
    )
