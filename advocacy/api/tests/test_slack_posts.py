"""/api/slack/posts: the Slack posts and their state; a failed one sent again by whoever may
send a failed email again (asks:write), audited; 409 for one that did not fail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from advocacy.api.tests.conftest import ApiClient
from advocacy.integrations.slack.models import SlackPost
from advocacy.integrations.slack.tests.factories import post_of
from advocacy.people.models import AuditEntry, Scope

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["owner", "member", "marketer"])
def test_a_failed_post_is_listed_and_sent_again(
    make_client: Callable[..., ApiClient], request: pytest.FixtureRequest, persona: str, member: Any
) -> None:
    user = request.getfixturevalue(persona)
    post = post_of(member, "failed")
    post_of(member, "posted", error="")
    client = make_client(Scope.READ, Scope.ASKS_WRITE, user=user)

    listed = client.get("/api/slack/posts", {"status": "failed"}).json()
    assert listed["count"] == 1
    (row,) = listed["items"]
    assert (row["id"], row["status"], row["target"], row["to"], row["error"], row["attempts"]) == (
        post.pk, "failed", "dm", member.email, "Slack said users_not_found", 1
    )  # fmt: skip
    assert row["notice"] == post.notice.text

    again = client.post(f"/api/slack/posts/{post.pk}/resend")

    assert again.status_code == 200
    assert (again.json()["status"], again.json()["attempts"], again.json()["error"]) == (
        "queued", 0, ""
    )  # fmt: skip
    assert SlackPost.objects.get(pk=post.pk).status == "queued"
    (entry,) = AuditEntry.objects.all()
    assert (entry.action, entry.actor_name, entry.via, entry.target) == (
        "messages.retry", persona, "api", f"POST /api/slack/posts/{post.pk}/resend"
    )  # fmt: skip


def test_a_post_that_did_not_fail_is_refused_with_409(
    make_client: Callable[..., ApiClient], member: Any
) -> None:
    post = post_of(member, "posted", error="")
    client = make_client(Scope.ASKS_WRITE, user=member)
    refused = client.post(f"/api/slack/posts/{post.pk}/resend")
    assert (refused.status_code, refused.json()["detail"]) == (
        409, f"only a failed Slack post can be sent again: post {post.pk} is posted"
    )  # fmt: skip
    missing = client.post("/api/slack/posts/999999/resend")
    assert (missing.status_code, missing.json()["detail"]) == (404, "no Slack post 999999")
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("persona", ["seller", "viewer"])
def test_whoever_may_not_send_a_failed_email_again_may_not_send_a_post_again(
    make_client: Callable[..., ApiClient], request: pytest.FixtureRequest, persona: str, member: Any
) -> None:
    user = request.getfixturevalue(persona)
    post = post_of(member, "failed")
    client = make_client(*Scope.values, user=user)
    assert client.get("/api/slack/posts").status_code == 200
    refused = client.post(f"/api/slack/posts/{post.pk}/resend")
    assert refused.status_code == 403
    assert "may not send a failed email to an advocate again" in refused.json()["detail"]
    assert SlackPost.objects.get(pk=post.pk).status == "failed"


def test_a_key_without_asks_write_may_not_send_a_post_again(
    make_client: Callable[..., ApiClient], member: Any
) -> None:
    post = post_of(member, "failed")
    refused = make_client(Scope.READ, user=member).post(f"/api/slack/posts/{post.pk}/resend")
    assert refused.status_code == 403
    assert "asks:write" in refused.json()["detail"]
    assert SlackPost.objects.get(pk=post.pk).status == "failed"
