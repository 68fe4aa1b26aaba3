"""The worker's delivery pass runs the Slack connector after its emails (the two are siblings
that never import each other: the pipeline's registry of notice channels joins them): a member
who chose Slack gets a direct message and no email; one who chose both gets both."""

from __future__ import annotations

from typing import Any

import pytest

from advocacy.integrations.slack.delivery import deliver_notices
from advocacy.integrations.slack.tests.fake_slack import FakeSlack, fake_slack  # noqa: F401
from advocacy.messaging.delivery import deliver_due
from advocacy.messaging.models import Message
from advocacy.messaging.tests.conftest import NOW, promoter, smtp_sink  # noqa: F401
from advocacy.pipeline.notices import Notice, NoticeDraft, NoticeKind, notify

pytestmark = pytest.mark.django_db


def tell(user: Any, key: str) -> Notice:
    ada = promoter(user)
    notify([NoticeDraft(key, NoticeKind.ASK_ACCEPTED, ada.pk, "Ada accepted the review",
                        recipient_id=user.pk)], now=NOW)  # fmt: skip
    return Notice.objects.get(key=key)


@pytest.mark.parametrize(("choice", "emails"), [("slack", 0), ("both", 1)])
def test_the_worker_posts_on_slack_and_emails_as_the_member_chose(
    fake_slack: FakeSlack,  # noqa: F811
    smtp_sink: Any,  # noqa: F811
    member: Any,
    choice: str,
    emails: int,
) -> None:
    member.notify_by = choice
    member.save()
    fake_slack.members = {member.email: "U0MEMBER"}
    notice = tell(member, "k:1")

    report = deliver_due(now=NOW)

    assert (report.posted, report.sent) == (1, emails)
    assert len(smtp_sink.received) == emails
    assert Message.objects.filter(notice=notice).count() == emails
    assert [p["channel"] for p in fake_slack.posts()] == ["U0MEMBER"]
    notice.refresh_from_db()
    assert notice.delivered_at == NOW


def test_with_both_a_direct_message_posted_first_leaves_the_email_to_go(
    fake_slack: FakeSlack,  # noqa: F811
    smtp_sink: Any,  # noqa: F811
    member: Any,
) -> None:
    member.notify_by = "both"
    member.save()
    fake_slack.members = {member.email: "U0MEMBER"}
    notice = tell(member, "k:2")
    assert deliver_notices(NOW) == 1
    notice.refresh_from_db()
    assert notice.delivered_at is None  # the email stamps it
    assert (deliver_due(now=NOW).sent, len(smtp_sink.received)) == (1, 1)
    notice.refresh_from_db()
    assert notice.delivered_at == NOW
