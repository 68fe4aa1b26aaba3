"""One row per notice to post on Slack and where: a member's direct message, or the program's
channel. Written by the worker's delivery pass, claimed under a lease like the outbox's
messages, posted, its outcome recorded (docs/slack.md).

Legal moves of `status`:

    queued  -> posting   claimed by a worker, under a lease
    posting -> posted    Slack answered ok
    posting -> queued    a failure for now (retried after a doubling wait), or the lease ran out
    posting -> failed    Slack refused it for good (no such user, not in the channel), or out
                         of attempts
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q

from advocacy.pipeline.notices import Notice


class Target(models.TextChoices):
    DM = "dm", "Direct message to the recipient"
    CHANNEL = "channel", "The program's channel"


class PostStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    POSTING = "posting", "Posting"
    POSTED = "posted", "Posted"
    FAILED = "failed", "Failed"


S = PostStatus


class SlackPostQuerySet(models.QuerySet["SlackPost"]):
    def due(self, now: datetime) -> SlackPostQuerySet:
        """Queued and due, or claimed by a worker whose lease ran out."""
        return self.filter(
            Q(status=S.QUEUED, due_at__lte=now) | Q(status=S.POSTING, lease_until__lt=now)
        )


class SlackPost(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="slack_posts")
    target = models.CharField(max_length=10, choices=Target.choices)
    # The recipient's address (a DM: looked up on Slack by it), or the channel's id or name.
    to = models.CharField(max_length=254)
    status = models.CharField(max_length=10, choices=PostStatus.choices, default=S.QUEUED)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, db_index=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # Slack's id of the message posted (its `ts`) and the conversation it is in.
    ts = models.CharField(max_length=40, blank=True)
    conversation = models.CharField(max_length=40, blank=True)

    objects = SlackPostQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["notice", "target"], name="slack_post_once")]
        indexes = [models.Index(fields=["status", "due_at"], name="slack_post_status_due")]

    def __str__(self) -> str:
        return f"{self.get_target_display()}: {self.notice_id}"
