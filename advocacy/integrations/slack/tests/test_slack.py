"""Slack for the team, against a fake Slack on 127.0.0.1: GIVEN a notice for a member who chose
Slack, WHEN the worker delivers, THEN a direct message (found by their address) and a post on
the program's channel go, with the buttons; WHEN a button is pressed, THEN only a request
Slack signed in the last five minutes, from a member whose role allows it, changes the ask."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from slack_sdk.signature import SignatureVerifier

from advocacy.integrations.slack.delivery import deliver_notices
from advocacy.integrations.slack.models import SlackPost
from advocacy.integrations.slack.tests.fake_slack import FakeSlack
from advocacy.people.models import AuditEntry
from advocacy.pipeline.models import Ask, AskStatus
from advocacy.pipeline.notices import Notice, NoticeKind
from advocacy.pipeline.team_notices import assigned
from advocacy.pipeline.tests.factories import NOW, make_ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_slack(fake_slack: FakeSlack, member: Any) -> Any:
    member.notify_by = "slack"
    member.save()
    fake_slack.members = {member.email: "U0MEMBER"}
    return member


def given_to(user: Any, **fields: Any) -> tuple[Ask, Notice]:
    ask = make_ask(status=fields.pop("status", AskStatus.SENT), **fields)
    Ask.objects.filter(pk=ask.pk).update(owner=user)
    assigned([ask.pk], now=NOW)
    return ask, Notice.objects.get(ask=ask, kind=NoticeKind.ASK_ASSIGNED)


def test_a_notice_goes_as_a_direct_message_and_to_the_channel_with_buttons(
    fake_slack: FakeSlack, on_slack: Any
) -> None:
    ask, notice = given_to(on_slack)

    assert deliver_notices(NOW) == 2

    lookups = [args for method, args in fake_slack.calls if method == "users.lookupByEmail"]
    assert lookups == [{"email": on_slack.email}]
    dm, channel = sorted(fake_slack.posts(), key=lambda p: p["channel"] != "U0MEMBER")
    assert (dm["channel"], channel["channel"]) == ("U0MEMBER", "C0PROGRAM")
    assert dm["text"] == f"Ask given to you: {notice.text}"
    (buttons,) = [b for b in dm["blocks"] if b["type"] == "actions"]
    assert [(e["action_id"], e["value"], e["text"]["text"]) for e in buttons["elements"]] == [
        ("claim_ask", str(ask.pk), "Claim"), ("done_ask", str(ask.pk), "Mark done")
    ]  # fmt: skip
    assert f"<https://advocacy.example/asks/{ask.pk}/|Open it>" in json.dumps(dm["blocks"])
    notice.refresh_from_db()
    assert notice.delivered_at == NOW
    assert set(SlackPost.objects.values_list("status", "ts")) == {
        ("posted", "1780315200.000000"), ("posted", "1780315200.000001")
    }  # fmt: skip
    assert deliver_notices(NOW + dt.timedelta(minutes=1)) == 0  # once
    assert len(fake_slack.posts()) == 2


def test_a_rate_limit_is_retried_and_an_unknown_member_fails_for_good(
    fake_slack: FakeSlack, on_slack: Any, settings: Any
) -> None:
    settings.SLACK_CHANNEL = ""
    _, notice = given_to(on_slack)
    fake_slack.fail = "ratelimited"
    assert deliver_notices(NOW) == 0
    post = SlackPost.objects.get()
    assert (post.status, post.attempts, post.error) == (
        "queued", 1, "attempt 1 of 8: Slack said ratelimited"
    )  # fmt: skip
    assert post.due_at == NOW + dt.timedelta(seconds=settings.OUTBOX_RETRY_SECONDS)
    fake_slack.fail = ""
    assert deliver_notices(post.due_at) == 1
    notice.refresh_from_db()
    assert notice.delivered_at == post.due_at

    fake_slack.members = {}
    _, other = given_to(on_slack)
    assert deliver_notices(NOW) == 0
    failed = SlackPost.objects.get(notice=other)
    assert (failed.status, failed.error) == ("failed", "Slack said users_not_found")


def test_nothing_is_posted_without_a_token(fake_slack: FakeSlack, on_slack: Any, settings):
    settings.SLACK_BOT_TOKEN = ""
    given_to(on_slack)
    assert deliver_notices(NOW) == 0
    assert fake_slack.calls == []


def press(client: Client, button: str, ask: Ask, *, user: str = "U0MEMBER", at: int | None = None,
          secret: str = "signing-secret", response_url: str | None = None) -> Any:  # fmt: skip
    """Post what Slack posts when a member presses a button, signed as Slack signs it."""
    payload = {
        "type": "block_actions",
        "response_url": response_url or "",
        "user": {"id": user, "username": "someone", "team_id": "T0TEAM"},
        "actions": [{"action_id": button, "block_id": f"ask-{ask.pk}", "value": str(ask.pk),
                     "type": "button", "action_ts": "1780315300.000100"}],
    }  # fmt: skip
    body = urlencode({"payload": json.dumps(payload)})
    stamp = str(int(time.time()) if at is None else at)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return client.post(
        "/slack/actions/",
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature},
    )


def test_claim_and_mark_done_change_the_ask_as_the_member(
    fake_slack: FakeSlack, on_slack: Any, owner: Any
) -> None:
    ask, _ = given_to(owner, status=AskStatus.ACCEPTED)
    client = Client()
    claimed = press(client, "claim_ask", ask)
    assert claimed.status_code == 200
    assert claimed.json()["text"] == f"Ask {ask.pk} (Review (G2, Capterra, TrustRadius)) is yours."
    ask.refresh_from_db()
    assert ask.owner_id == on_slack.pk
    assert ask.events.last().note == "assigned to member: claimed on Slack"
    done = press(client, "done_ask", ask)
    assert done.json()["text"].endswith("is completed.")
    ask.refresh_from_db()
    assert (ask.status, ask.events.last().actor_id) == (AskStatus.COMPLETED, on_slack.pk)
    audited = AuditEntry.objects.filter(via="slack").order_by("pk")
    assert [(e.actor_name, e.action, e.target) for e in audited] == [
        ("member", "asks.assign", f"ask {ask.pk}"), ("member", "asks.move", f"ask {ask.pk}")
    ]  # fmt: skip


def test_a_member_whose_role_does_not_allow_it_is_refused(
    fake_slack: FakeSlack, seller: Any, owner: Any
) -> None:
    fake_slack.members = {seller.email: "U0SELLER"}
    ask, _ = given_to(owner)
    answer = press(Client(), "claim_ask", ask, user="U0SELLER")
    assert answer.status_code == 200
    assert answer.json()["text"] == (
        "seller (Sales) may not reassign an ask: that is for Admin or Customer success"
    )
    ask.refresh_from_db()
    assert ask.owner_id == owner.pk
    unknown = press(Client(), "claim_ask", ask, user="U0NOBODY")
    assert unknown.json()["text"] == "No one on the team has the address of your Slack account."


def test_a_forged_signature_and_a_stale_timestamp_are_refused(
    fake_slack: FakeSlack, on_slack: Any, owner: Any
) -> None:
    ask, _ = given_to(owner)
    forged = press(Client(), "claim_ask", ask, secret="not-the-secret")
    stale = press(Client(), "claim_ask", ask, at=int(time.time()) - 301)
    unsigned = Client().post("/slack/actions/", {"payload": "{}"})
    assert [r.status_code for r in (forged, stale, unsigned)] == [401, 401, 401]
    ask.refresh_from_db()
    assert ask.owner_id == owner.pk
    assert [m for m, _ in fake_slack.calls if m == "users.info"] == []


def test_the_confirmation_is_posted_back_to_the_response_url(
    fake_slack: FakeSlack, on_slack: Any, owner: Any
) -> None:
    ask, _ = given_to(owner, status=AskStatus.ACCEPTED)
    hook = fake_slack.url.replace("/api/", "/actions/T0TEAM/1780315300/secret")

    press(Client(), "claim_ask", ask, response_url=hook)

    assert fake_slack.responses() == [{
        "path": "/actions/T0TEAM/1780315300/secret",
        "text": f"Ask {ask.pk} (Review (G2, Capterra, TrustRadius)) is yours.",
        "response_type": "ephemeral",
        "replace_original": False,
    }]  # fmt: skip


def test_a_response_url_to_another_host_is_not_followed(
    fake_slack: FakeSlack, on_slack: Any, owner: Any
) -> None:
    ask, _ = given_to(owner, status=AskStatus.ACCEPTED)
    elsewhere = fake_slack.url.replace("127.0.0.1", "localhost").replace("/api/", "/actions/x")

    answer = press(Client(), "claim_ask", ask, response_url=elsewhere)

    assert answer.json()["text"].endswith("is yours.")  # the press itself is done
    assert fake_slack.responses() == []
