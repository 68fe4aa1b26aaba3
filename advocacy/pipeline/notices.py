"""Notices: what an advocate did in the portal, or what happened on the team's side, that
someone on the team should know.

The portal records one when an advocate accepts or declines an ask, answers for a piece of
content, picks the time of a call, changes their preferences, opts out or asks for a fresh
link; the team's services when an ask is given to someone, is overdue or due a follow-up, a
reference request is filed or filled, a draft waits for review (`team_notices.py`). It is
on the recipient's work queue in the staff UI at once (the dashboard, the contact's page,
`advocacy portal notices`, `GET /api/notices`). Delivering it by email or Slack is the
outbox's work, as the recipient chose (`User.notify_by`): it reads
`Notice.objects.undelivered()` and stamps `delivered_at` once sent.

A notice is unique per `key`, the fact it reports (`ask_accepted:12`), so recording the same
fact twice, or from two requests at once, leaves one row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from advocacy.customers.models import Contact


class NoticeKind(models.TextChoices):
    ASK_ACCEPTED = "ask_accepted", "Accepted an ask"
    ASK_DECLINED = "ask_declined", "Declined an ask"
    ALTERNATIVE_ACCEPTED = "alternative_accepted", "Said yes to the alternative"
    ALTERNATIVE_DECLINED = "alternative_declined", "Said no to the alternative"
    CALL_TIME_CHOSEN = "call_time_chosen", "Chose the time of a call"
    CONTENT_APPROVED = "content_approved", "Approved content"
    CONTENT_EDITED = "content_edited", "Sent changes to content"
    CONTENT_DECLINED = "content_declined", "Declined content"
    PREFERENCES_CHANGED = "preferences_changed", "Changed their preferences"
    OPTED_OUT = "opted_out", "Opted out"
    LINK_REQUESTED = "link_requested", "Asked for a new portal link"
    # What happened on the team's side that its owner should act on.
    ASK_ASSIGNED = "ask_assigned", "Ask given to you"
    ASK_OVERDUE = "ask_overdue", "Ask overdue"
    FOLLOW_UP_DUE = "follow_up_due", "Time to follow up"
    REQUEST_FILED = "request_filed", "Reference request filed"
    REQUEST_FILLED = "request_filled", "Reference request filled"
    APPROVAL_WAITING = "approval_waiting", "Content waits for approval"


class NoticeQuerySet(models.QuerySet["Notice"]):
    def for_user(self, user: Any) -> NoticeQuerySet:
        """Notices addressed to `user`, and those of their role's pool (no one person named)."""
        role = getattr(user, "role", "")
        return self.filter(Q(recipient=user) | Q(recipient__isnull=True, role=role))

    def since(self, moment: datetime) -> NoticeQuerySet:
        return self.filter(at__gte=moment)

    def recent(self, now: datetime, days: int = 14) -> NoticeQuerySet:
        return self.since(now - timedelta(days=days))

    def undelivered(self) -> NoticeQuerySet:
        """Not yet sent by email or Slack: what the outbox picks up."""
        return self.filter(delivered_at__isnull=True)


class Notice(models.Model):
    key = models.CharField(max_length=200, unique=True, help_text="The fact it reports, once.")
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    # The advocate it is about; none for a fact about no one advocate (a request filed).
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    ask = models.ForeignKey(
        "pipeline.Ask", null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    # The person who should act (the ask's owner, the content's author, the account's CSM);
    # none: anyone of `role`.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    role = models.CharField(max_length=20, blank=True)
    text = models.TextField()
    # Where in the staff UI it is acted on, when that is neither its ask nor its advocate
    # (a reference request's page): a path from the site's root.
    path = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "at"], name="notice_recipient_at"),
            models.Index(fields=["role", "at"], name="notice_role_at"),
            models.Index(
                fields=["at"],
                name="notice_undelivered",
                condition=Q(delivered_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text}"


@dataclass(frozen=True)
class NoticeDraft:
    key: str
    kind: str
    contact_id: int | None
    text: str
    recipient_id: int | None = None
    role: str = ""
    ask_id: int | None = None
    path: str = ""


def notify(drafts: Iterable[NoticeDraft], *, now: datetime) -> None:
    """Record notices in one insert; a fact already recorded is left as it is (the unique key)."""
    rows = [
        Notice(
            key=d.key[:200],
            kind=d.kind,
            contact_id=d.contact_id,
            ask_id=d.ask_id,
            recipient_id=d.recipient_id,
            role=d.role,
            text=d.text,
            path=d.path,
            at=now,
        )
        for d in drafts
    ]
    if rows:
        Notice.objects.bulk_create(rows, ignore_conflicts=True)


def mark_delivered(ids: Iterable[int], *, now: datetime) -> int:
    """Stamp notices as delivered (by the outbox); one UPDATE, only those not stamped yet."""
    return Notice.objects.filter(pk__in=list(ids), delivered_at__isnull=True).update(
        delivered_at=now
    )
