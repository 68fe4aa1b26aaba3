"""Post team notices on Slack: a direct message to each recipient who chose Slack (`notify_by`
slack or both), and the team's events on the program's channel (ADVOCACY_SLACK_CHANNEL).

One pass (`deliver_notices`, called by the outbox's delivery pass through
advocacy.pipeline.notice_channels):

1. **Queue**: one SlackPost per (notice, target) for the notices of the last seven days that
   need one, in one insert against the unique constraint (two workers write one row).
2. **Claim** the due rows under a lease of ADVOCACY_OUTBOX_LEASE_SECONDS, by conditional
   UPDATE with this pass's token (`FOR UPDATE SKIP LOCKED` on PostgreSQL).
3. **Post** each over Slack's Web API (slack-sdk): a direct message finds the member by their
   address (`users.lookupByEmail`, once per address per pass), then `chat.postMessage`.
4. **Record** the outcomes in one transaction: the rows (one UPDATE), and the notices whose
   direct message went stamped delivered (those of members who chose Slack alone: with
   `both`, the email stamps it). A failure for now (rate limit, Slack down, the
   network) is retried after ADVOCACY_OUTBOX_RETRY_SECONDS, doubled each time, up to
   ADVOCACY_OUTBOX_MAX_ATTEMPTS; Slack's refusal (no such user, not in the channel, a bad
   token) fails it at once, with Slack's words.

At least once: a worker killed between Slack's `ok` and step 4's commit leaves the row
`posting`; once its lease runs out it is posted again. Nothing is lost by a crash.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from advocacy.integrations.slack.blocks import blocks_for, text_for
from advocacy.integrations.slack.models import PostStatus, SlackPost, Target
from advocacy.people.models import NotifyBy
from advocacy.pipeline.notices import Notice, NoticeKind, mark_delivered

logger = logging.getLogger(__name__)
S = PostStatus
K = NoticeKind
BY_SLACK = (NotifyBy.SLACK, NotifyBy.BOTH)
WINDOW = timedelta(days=7)
# The team's events, posted on the program's channel too (once per fact: not the lead's copy
# of an overdue ask).
CHANNEL_KINDS = (
    K.ASK_ASSIGNED,
    K.ASK_OVERDUE,
    K.REQUEST_FILED,
    K.REQUEST_FILLED,
    K.APPROVAL_WAITING,
)
# Slack's errors that pass: the rest are refusals, final.
TRANSIENT = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def configured() -> bool:
    return bool(settings.SLACK_BOT_TOKEN)


def client() -> WebClient:
    """The Web API client, at ADVOCACY_SLACK_API_URL (a local fake in the tests)."""
    base = settings.SLACK_API_URL.rstrip("/") + "/"
    return WebClient(token=settings.SLACK_BOT_TOKEN, base_url=base, timeout=10)


def queue_posts(now: datetime, *, limit: int = 10_000) -> int:
    """Write the posts the recent notices need: two reads, one insert if any."""
    recent = Notice.objects.filter(at__gte=now - WINDOW, at__lte=now).order_by("at", "pk")

    def unposted(target: str) -> Any:
        return recent.exclude(
            Exists(SlackPost.objects.filter(notice=OuterRef("pk"), target=target))
        )

    rows = [
        (pk, Target.DM, email)
        for pk, email in unposted(Target.DM)
        .filter(recipient__is_active=True, recipient__notify_by__in=BY_SLACK)
        .exclude(recipient__email="")
        .values_list("pk", "recipient__email")[:limit]
    ]
    channel = settings.SLACK_CHANNEL
    if channel:
        found = (
            unposted(Target.CHANNEL)
            .filter(kind__in=CHANNEL_KINDS)
            .exclude(key__endswith=":lead")
            .values_list("pk", flat=True)[:limit]
        )
        rows += [(pk, Target.CHANNEL, channel) for pk in found]
    if not rows:
        return 0
    SlackPost.objects.bulk_create(
        [
            SlackPost(notice_id=pk, target=target, to=to, created_at=now, due_at=now)
            for pk, target, to in rows
        ],
        ignore_conflicts=True,
    )
    return len(rows)


def claim(now: datetime, *, size: int) -> str | None:
    """Claim up to `size` due posts; the batch's token, or None (a read first: nothing due
    takes no write lock)."""
    if not SlackPost.objects.due(now).exists():
        return None
    with transaction.atomic():
        ids = list(
            SlackPost.objects.due(now)
            .order_by("due_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:size]
        )
        token = uuid.uuid4().hex
        claimed = (
            SlackPost.objects.filter(pk__in=ids)
            .due(now)
            .update(
                status=S.POSTING,
                claim=token,
                lease_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
            )
        )
    return token if claimed else None


@dataclass
class Outcome:
    post: SlackPost
    ok: bool
    transient: bool = False
    error: str = ""


class Poster:
    """One pass's conversation with Slack: the members found by address, kept for the pass."""

    def __init__(self, api: WebClient) -> None:
        self.api = api
        self.members: dict[str, str] = {}

    def member(self, email: str) -> str:
        if email not in self.members:
            answer = self.api.users_lookupByEmail(email=email)
            self.members[email] = str(answer["user"]["id"])
        return self.members[email]

    def post(self, post: SlackPost) -> Outcome:
        try:
            where = self.member(post.to) if post.target == Target.DM else post.to
            answer = self.api.chat_postMessage(
                channel=where, text=text_for(post.notice), blocks=blocks_for(post.notice)
            )
        except SlackApiError as exc:
            code = str(exc.response.get("error", "") or exc.response.status_code)
            return Outcome(post, False, code in TRANSIENT, f"Slack said {code}")
        except OSError as exc:  # refused, reset, timed out: the network, for now
            return Outcome(post, False, True, f"Slack could not be reached: {exc}")
        post.ts, post.conversation = str(answer.get("ts", "")), str(answer.get("channel", ""))
        return Outcome(post, True)


def backoff(attempts: int) -> timedelta:
    seconds = settings.OUTBOX_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, 24 * 3600))


@transaction.atomic
def record(outcomes: list[Outcome], *, token: str, now: datetime) -> int:
    """Write a batch's outcomes (one UPDATE) and stamp the notices whose DM went (Slack
    alone)."""
    limit = settings.OUTBOX_MAX_ATTEMPTS
    for o in outcomes:
        p = o.post
        p.attempts += 1
        p.lease_until, p.claim = None, ""
        if o.ok:
            p.status, p.posted_at, p.error = S.POSTED, now, ""
        elif o.transient and p.attempts < limit:
            p.status, p.due_at = S.QUEUED, now + backoff(p.attempts)
            p.error = f"attempt {p.attempts} of {limit}: {o.error}"[:500]
        else:
            p.status, p.error = S.FAILED, o.error[:500]
    mine = [o.post for o in outcomes]
    SlackPost.objects.bulk_update(
        mine,
        ["status", "attempts", "due_at", "lease_until", "claim", "posted_at", "error", "ts",
         "conversation"],
    )  # fmt: skip
    sent = [p.notice_id for p in mine if p.status == S.POSTED and p.target == Target.DM]
    if sent:
        # Only for those who chose Slack alone: for `both`, the email's sending stamps it, so
        # that a direct message posted first never keeps the email from being queued.
        mark_delivered(
            Notice.objects.filter(pk__in=sent, recipient__notify_by=NotifyBy.SLACK).values_list(
                "pk", flat=True
            ),
            now=now,
        )
    return sum(1 for o in outcomes if o.ok)


def deliver_notices(now: datetime, worker_id: str = "", *, api: WebClient | None = None) -> int:
    """Queue, claim, post and record every post due now; how many were posted."""
    if not configured():
        return 0
    queue_posts(now)
    poster = Poster(api or client())
    posted = 0
    while (token := claim(now, size=settings.OUTBOX_BATCH)) is not None:
        posts = list(
            SlackPost.objects.filter(claim=token, status=S.POSTING)
            .select_related("notice__contact__account")
            .order_by("due_at", "pk")
        )
        outcomes = [poster.post(p) for p in posts]
        posted += record(outcomes, token=token, now=now)
    return posted
