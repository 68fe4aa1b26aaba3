"""The Slack posts page: every post with its state and Slack's words; "Send again" on a failed
one, behind a confirmation, for whoever may send a failed email again, audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from advocacy.integrations.slack.models import SlackPost
from advocacy.integrations.slack.tests.factories import post_of
from advocacy.people.models import AuditEntry

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["owner", "member", "marketer"])
def test_a_failed_post_is_sent_again_from_the_page(
    request: pytest.FixtureRequest, persona: str, member: Any
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    post = post_of(member, "failed")
    post_of(member, "posted", error="")

    page = client.get("/outbox/slack/", {"status": "failed"}).content.decode()

    assert page.count('data-testid="slack-row"') == 1
    assert "Slack said users_not_found" in page
    assert f'action="/outbox/slack/{post.pk}/resend/"' in page
    assert f'data-confirm="Send this Slack post to {member.email} again?' in page
    assert 'data-testid="slack-posts-link"' in client.get("/outbox/").content.decode()

    sent = client.post(f"/outbox/slack/{post.pk}/resend/", follow=True)

    assert sent.redirect_chain == [("/outbox/slack/?status=failed", 302)]
    assert (
        f"Queued again: the post to {member.email} goes at the worker&#x27;s next pass."
        in sent.content.decode()
    )
    post.refresh_from_db()
    assert (post.status, post.attempts, post.error) == ("queued", 0, "")
    (entry,) = AuditEntry.objects.all()
    assert (entry.action, entry.actor_name, entry.via) == ("messages.retry", persona, "web")


def test_a_post_that_did_not_fail_is_not_sent_again_and_says_why(member: Any) -> None:
    client = signed_in(member)
    post = post_of(member, "posted", error="")
    page = client.get("/outbox/slack/").content.decode()
    assert 'data-testid="resend-form"' not in page
    said = client.post(f"/outbox/slack/{post.pk}/resend/", follow=True).content.decode()
    assert (
        f"Not queued again: only a failed Slack post can be sent again: post {post.pk} is posted."
        in said
    )
    assert SlackPost.objects.get(pk=post.pk).status == "posted"
    assert client.post("/outbox/slack/999999/resend/").status_code == 404


@pytest.mark.parametrize("persona", ["seller", "viewer"])
def test_whoever_may_not_send_a_failed_email_again_sees_no_button_and_is_refused(
    request: pytest.FixtureRequest, persona: str, member: Any
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    post = post_of(member, "failed")
    page = client.get("/outbox/slack/")
    assert page.status_code == 200
    assert "Slack said users_not_found" in page.content.decode()
    assert 'data-testid="resend-form"' not in page.content.decode()
    refused = client.post(f"/outbox/slack/{post.pk}/resend/")
    assert refused.status_code == 403
    assert SlackPost.objects.get(pk=post.pk).status == "failed"
    assert not AuditEntry.objects.exists()


def test_an_empty_list_says_how_posts_come(member: Any) -> None:
    page = signed_in(member).get("/outbox/slack/").content.decode()
    assert "No Slack posts yet" in page
