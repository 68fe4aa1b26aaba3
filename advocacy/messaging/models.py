"""The outbox: one row per message to send, written in the transaction of what causes it.

A Message is written by the same transaction as the ask's opening or move that causes it
(advocacy.messaging.outbox, through the pipeline's hooks), so a crash leaves both or neither.
The worker claims due rows under a lease, checks at delivery time who must not be written to,
sends over SMTP, and records each attempt (MessageAttempt). docs/operations.md, "The outbox".

Legal moves of `status`:

    queued  -> sending              claimed by a worker, under a lease
    sending -> sent                 the server accepted it
    sending -> queued               a transient failure (retried later), quiet hours, or a
                                    pause of the ask (held until it is resumed, then queued)
    sending -> failed               a permanent failure, or out of attempts
    sending -> held                 the person must not be written to (final, with a reason)
    sending -> cancelled            the ask moved on without it (final)
    sending -> sending              the lease ran out (the worker died): claimed again
    held    -> queued               only a hold for a paused ask, once the ask is resumed
    failed  -> queued               sent again by hand ("Send again")

A message goes by one of two channels: `email` (SMTP), or `in_app`, an in-product reminder: a
ProductEvent the customer's product reads from the feed (GET /api/product-events), POSTed to
its receiver as well when ADVOCACY_PRODUCT_EVENTS_URL is set (advocacy.messaging.product).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from advocacy.content.models import Asset
from advocacy.customers.models import Contact
from advocacy.pipeline.models import Ask
from advocacy.pipeline.notices import Notice
from advocacy.references.models import ReferenceCall


class MessageKind(models.TextChoices):
    ASK = "ask", "The ask"
    INVITE = "invite", "Reference call invitation"
    REMINDER = "reminder", "Reminder"
    THANKS = "thanks", "Thank-you"
    APPROVAL = "approval", "Content approval request"
    TEST = "test", "Test to a team member"
    NUDGE = "nudge", "In-product reminder"
    CALENDAR = "calendar", "Reference call calendar invite"
    NOTICE = "notice", "Notice to the team"
    TIER = "tier", "New reward tier"
    VALUE = "value", "Value moment"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    IN_APP = "in_app", "In the product"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Reason(models.TextChoices):
    """Why a message is held, cancelled, failed or waiting: a stable code with its label."""

    OPTED_OUT = "opted_out", "The person opted out of asks"
    UNSUBSCRIBED = "unsubscribed", "The person unsubscribed from these emails"
    SUPPRESSED = "suppressed", "The person was erased on request (suppression list)"
    LEFT_COMPANY = "left_company", "The person left their company"
    PAUSED = "paused", "The ask is paused"
    ASK_MOVED = "ask_moved", "The ask moved on without this email"
    CONTENT_MOVED = "content_moved", "The content moved on without this email"
    QUIET_HOURS = "quiet_hours", "Quiet hours in the person's time zone"
    RETRYING = "retrying", "The mail server failed for now; it will be tried again"
    REFUSED = "refused", "The mail server refused it"
    BAD_ADDRESS = "bad_address", "The address is not a valid email address"
    GAVE_UP = "gave_up", "Every attempt failed"
    HOOK_REFUSED = "hook_refused", "The product's receiver refused it"
    CALL_MOVED = "call_moved", "The call was rescheduled or ended since"


S = MessageStatus
K = MessageKind
# Kinds written once per ask and step of its sequence (a unique constraint holds it); tests may
# be sent any number.
ONCE_PER_ASK = (K.ASK, K.INVITE, K.REMINDER, K.THANKS, K.NUDGE, K.TIER)
# Kinds that go to a team member, not to an advocate: no advocate's hold applies to them.
TO_TEAM = (K.TEST, K.NOTICE)


class MessageQuerySet(models.QuerySet["Message"]):
    def due(self, now: datetime) -> MessageQuerySet:
        """Queued and due, or claimed by a worker whose lease ran out (it died mid-batch)."""
        return self.filter(
            Q(status=S.QUEUED, due_at__lte=now) | Q(status=S.SENDING, lease_until__lt=now)
        )

    def problems(self) -> MessageQuerySet:
        """Messages that need a person: failed, or held for good."""
        return self.filter(status__in=[S.FAILED, S.HELD])

    def owned_by(self, user: object) -> MessageQuerySet:
        return self.filter(ask__owner=user)


class Message(models.Model):
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    # Which step of the ask's sequence (Ask.sequence) it is: 0 the first (the ask itself, and
    # the follow-up reminder of the play's timing), 1 and on the later ones.
    step = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=S.QUEUED)
    ask = models.ForeignKey(
        Ask, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    # The advocate it goes to, or (a notice) the advocate it is about, if any.
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    # A notice's email to the team member it is addressed to (advocacy.pipeline.notices).
    notice = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    # An approval request is about a piece of content (and its ask, if it came from one).
    asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    # An address other than the contact's: a test's team member, a notice's recipient (or the
    # team's address), or the seller and the prospects a reference call's invite goes to (the
    # contact is then the call's advocate, whom the message is about). Empty: it goes to the
    # contact.
    to_email = models.EmailField(max_length=254, blank=True)
    # A reference call's calendar invite: the call, and the revision (its SEQUENCE) written.
    call = models.ForeignKey(
        ReferenceCall, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    call_sequence = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The Message-ID header, the same for every attempt: a receiver can tell a resend.
    message_id = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField()
    # When it may go (next): its cause's moment, the end of quiet hours, or a retry's backoff.
    due_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claim = models.CharField(max_length=32, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reason_code = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    # Written when it is sent (or fails): what went, to whom.
    to_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    # What a letter registered by an upper layer says, fixed when the row is written (a value
    # moment's numbers): every attempt and every preview of the row renders the same email.
    payload = models.JSONField(default=dict, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ask", "kind", "step"],
                condition=Q(kind__in=ONCE_PER_ASK),
                name="message_once_per_ask_kind_step",
            ),
            # A call's invite once per revision and recipient (the advocate: no `to_email`).
            models.UniqueConstraint(
                fields=["call", "call_sequence", "to_email"],
                condition=Q(kind="calendar"),
                name="message_once_per_call_revision_recipient",
            ),
            # A notice is emailed once (a row that failed is sent again by hand, not anew).
            models.UniqueConstraint(
                fields=["notice"], condition=Q(notice__isnull=False), name="message_once_per_notice"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="message_status_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to_email or self.contact}"

    @property
    def advocate(self) -> Contact:
        """The advocate an email to an advocate goes to (every kind but a notice has one)."""
        if self.contact is None:
            raise ValueError(f"message {self.pk} ({self.kind}) is to no advocate")
        return self.contact

    @property
    def to_team(self) -> bool:
        """Whether it goes to a team member (a test, a notice), not to an advocate."""
        return self.kind in (K.TEST, K.NOTICE)

    @property
    def is_problem(self) -> bool:
        return self.status in (S.FAILED, S.HELD)


class AttemptResult(models.TextChoices):
    SENT = "sent", "Sent"
    TRANSIENT = "transient", "Failed for now"
    PERMANENT = "permanent", "Failed for good"


class MessageAttempt(models.Model):
    """One try at handing a message to the mail server, with what it answered."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempt_rows")
    at = models.DateTimeField()
    worker = models.CharField(max_length=64, blank=True)
    result = models.CharField(max_length=10, choices=AttemptResult.choices)
    smtp_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_result_display()} at {self.at:%Y-%m-%d %H:%M}"


class ProductEvent(models.Model):
    """An in-product reminder the customer's product can show: one per in_app message, written
    when the message passes the holds (advocacy.messaging.product.publish), never changed.

    The feed (GET /api/product-events?since=ID) pages by `id`. Events are inserted under a lock
    held to the end of their transaction (PostgreSQL; SQLite has one writer), so ids become
    visible in their order and a reader's cursor never skips one committed later.
    """

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="event")
    ask = models.ForeignKey(
        Ask, null=True, blank=True, on_delete=models.CASCADE, related_name="product_events"
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="product_events")
    type = models.CharField(max_length=40)
    occurred_at = models.DateTimeField()
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.type} for {self.contact}"
