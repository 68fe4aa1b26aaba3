"""A team notice's email on the Outbox page and its own page: shown as to the team member,
even when the notice is about no advocate (a reference request filed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from advocacy.messaging.models import Message
from advocacy.messaging.outbox import queue_notices
from advocacy.pipeline.notices import NoticeDraft, NoticeKind, notify

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def test_a_notice_without_an_advocate_shows_on_the_outbox(client: Client, owner: Any) -> None:
    notify(
        [NoticeDraft("request_filed:1", NoticeKind.REQUEST_FILED, None,
                     "sam asks for a reference for Globex", recipient_id=owner.pk,
                     path="/references/1/")],
        now=NOW,
    )  # fmt: skip
    assert queue_notices(NOW) == 1
    message = Message.objects.get()
    client.force_login(owner)
    listing = client.get("/outbox/").content.decode()
    assert f'{owner.email} <span class="muted">(team)</span>' in listing
    page = client.get(f"/outbox/{message.pk}/")
    assert page.status_code == 200
    assert f"Notice to the team to {owner.email}" in page.content.decode()
