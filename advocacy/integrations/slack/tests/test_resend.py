"""A failed Slack post sent again by hand: GIVEN a post Slack refused for good, WHEN someone
who may send a failed email again sends it again, THEN it is queued, due at once, its attempts
counted afresh, and the worker's next pass posts it; a post that did not fail is refused."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from advocacy.integrations.slack.delivery import deliver_notices
from advocacy.integrations.slack.models import SlackPost
from advocacy.integrations.slack.services import NoSuchPost, SlackError, posts, resend
from advocacy.integrations.slack.tests.factories import notice_for, post_of
from advocacy.integrations.slack.tests.fake_slack import FakeSlack
from advocacy.pipeline.tests.factories import NOW

pytestmark = pytest.mark.django_db
LATER = NOW + dt.timedelta(hours=2)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_post_slack_refused_is_sent_again_and_posted_at_the_next_pass(
    fake_slack: FakeSlack, member: Any, settings: Any
) -> None:
    settings.SLACK_CHANNEL = ""
    member.notify_by = "slack"
    member.save()
    notice = notice_for(member)
    fake_slack.members = {}
    assert deliver_notices(NOW) == 0
    post = SlackPost.objects.get(notice=notice)
    assert (post.status, post.attempts, post.error) == (
        "failed", 1, "Slack said users_not_found"
    )  # fmt: skip

    fake_slack.members = {member.email: "U0MEMBER"}  # the address put right on Slack
    again = resend(post.pk, now=LATER)

    assert (again.status, again.attempts, again.error, again.due_at, again.lease_until) == (
        "queued", 0, "", LATER, None
    )  # fmt: skip
    assert deliver_notices(LATER) == 1
    post.refresh_from_db()
    assert (post.status, post.attempts, post.posted_at) == ("posted", 1, LATER)
    assert [p["channel"] for p in fake_slack.posts()] == ["U0MEMBER"]


@pytest.mark.parametrize(
    ("status", "words"), [("queued", "queued"), ("posting", "posting"), ("posted", "posted")]
)
def test_a_post_that_did_not_fail_is_not_sent_again(member: Any, status: str, words: str) -> None:
    post = post_of(member, status, error="")
    with pytest.raises(
        SlackError, match=f"^only a failed Slack post can be sent again: post {post.pk} is {words}$"
    ):
        resend(post.pk, now=LATER)
    post.refresh_from_db()
    assert (post.status, post.due_at, post.attempts) == (status, NOW, 1)


def test_sending_again_twice_queues_it_once(member: Any) -> None:
    post = post_of(member, "failed")
    resend(post.pk, now=LATER)
    with pytest.raises(SlackError, match=f"post {post.pk} is queued$"):
        resend(post.pk, now=LATER + dt.timedelta(minutes=1))
    post.refresh_from_db()
    assert post.due_at == LATER


def test_an_unknown_post_is_named(db: None) -> None:
    with pytest.raises(NoSuchPost, match=r"^no Slack post 999$"):
        resend(999, now=LATER)


def test_the_list_keeps_one_state_and_refuses_an_unknown_one(member: Any) -> None:
    failed = post_of(member, "failed")
    post_of(member, "posted", error="")
    assert list(posts(status="failed")) == [failed]
    assert posts().count() == 2
    with pytest.raises(SlackError, match="no such status: 'lost'"):
        posts(status="lost")


# The command ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "member", "marketer"])
def test_the_command_sends_a_failed_post_again(
    request: pytest.FixtureRequest, persona: str, member: Any
) -> None:
    request.getfixturevalue(persona)
    post = post_of(member, "failed")
    listed = json.loads(run("slack", "list", "--status", "failed", "--json"))
    assert [(p["id"], p["status"], p["error"]) for p in listed["posts"]] == [
        (post.pk, "failed", "Slack said users_not_found")
    ]
    said = run("slack", "resend", str(post.pk), "--as", persona, "--as-of", "2026-06-01T14:00Z")
    assert (
        said
        == f"Slack post {post.pk} to {member.email} queued again: the worker's next pass posts it\n"
    )
    post.refresh_from_db()
    assert (post.status, post.attempts, post.error) == ("queued", 0, "")
    assert post.due_at == dt.datetime(2026, 6, 1, 14, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("persona", "label"), [("seller", "Sales"), ("viewer", "Read-only")])
def test_the_command_refuses_whoever_may_not_send_a_failed_email_again(
    request: pytest.FixtureRequest, persona: str, label: str, member: Any
) -> None:
    request.getfixturevalue(persona)
    post = post_of(member, "failed")
    with pytest.raises(
        CommandError,
        match=rf"{persona} \({label}\) may not send a failed email to an advocate again",
    ):
        run("slack", "resend", str(post.pk), "--as", persona)
    post.refresh_from_db()
    assert post.status == "failed"


def test_the_command_says_why_a_post_is_not_sent_again(member: Any) -> None:
    post = post_of(member, "posted", error="")
    with pytest.raises(CommandError, match=f"post {post.pk} is posted$"):
        run("slack", "resend", str(post.pk))
    with pytest.raises(CommandError, match=r"^no Slack post 999$"):
        run("slack", "resend", "999", "--json")
    assert run("slack", "list", "--status", "queued") == "no Slack posts\n"
