"""Asks: one request to one contact, with a state machine whose every transition is an event.

Asks are opened only by `advocacy.engine.asks.open_asks` (plays and manual asks alike), which
applies policy and tap caps first; a test asserts nothing else creates them.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from advocacy.core.models import TransitionEvent
from advocacy.customers.models import Contact
from advocacy.pipeline.process_models import (  # noqa: F401 (models of this app)
    AskStep,
    ChecklistStep,
    ChecklistTemplate,
    RoutingRule,
)
from advocacy.signals.models import Signal, SignalKind


class Effort(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class AskStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    PUBLISHED = "published", "Published"
    CANCELLED = "cancelled", "Cancelled"


S = AskStatus
# The only legal moves. Declined, expired, published and cancelled are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PROPOSED: frozenset({S.QUEUED, S.SENT, S.CANCELLED}),
    S.QUEUED: frozenset({S.SENT, S.CANCELLED}),
    S.SENT: frozenset({S.ACCEPTED, S.DECLINED, S.EXPIRED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.SCHEDULED, S.COMPLETED, S.CANCELLED}),
    S.SCHEDULED: frozenset({S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset({S.PUBLISHED}),
    S.DECLINED: frozenset(),
    S.EXPIRED: frozenset(),
    S.PUBLISHED: frozenset(),
    S.CANCELLED: frozenset(),
}
OPEN_STATUSES = frozenset({S.PROPOSED, S.QUEUED, S.SENT, S.ACCEPTED, S.SCHEDULED})
# Not yet sent: an ask still in one of these past its send-by moment missed its window.
UNSENT_STATUSES = frozenset({S.PROPOSED, S.QUEUED})
# Board order: the open states as an ask goes through them.
OPEN_ORDER: tuple[str, ...] = (S.PROPOSED, S.QUEUED, S.SENT, S.ACCEPTED, S.SCHEDULED)


class ActivityOn(models.TextChoices):
    """The status at which an ask's activity counts as done (see `AskType.activity_kind`)."""

    COMPLETED = "completed", "Completed"
    PUBLISHED = "published", "Published"


class AskType(models.Model):
    """A kind of ask in the catalogue: its effort class decides which tap cap it counts against.

    `activity_kind` is the advocacy activity an ask of this type produces when it reaches
    `activity_on`: the move records it once as a program signal (advocacy.pipeline.activities).
    Blank: the ask produces none.
    """

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    effort = models.CharField(max_length=10, choices=Effort.choices)
    default_value = models.PositiveIntegerField(default=0, help_text="Points given back.")
    public = models.BooleanField(
        default=False, help_text="Shows the advocate's name or logo publicly (NDA excludes)."
    )
    prerequisites = models.JSONField(default=dict, blank=True)
    description = models.TextField(blank=True, help_text="What is asked, in the advocate's words.")
    time_needed = models.CharField(
        max_length=100, blank=True, help_text="How long it takes the advocate (about 5 minutes)."
    )
    source = models.CharField(max_length=200, blank=True, help_text="Where the default comes from.")
    activity_kind = models.CharField(
        max_length=30,
        choices=SignalKind.choices,
        blank=True,
        help_text="The advocacy activity an ask of this type produces (blank: none).",
    )
    activity_on = models.CharField(
        max_length=10,
        choices=ActivityOn.choices,
        blank=True,
        help_text="The status at which it is produced: completed or published.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class AskQuerySet(models.QuerySet["Ask"]):
    def open(self) -> AskQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now: datetime) -> AskQuerySet:
        """Open asks past their due date (the play's SLA); `Ask.is_overdue` is the same rule."""
        return self.open().filter(due_at__lt=now)

    def needs_follow_up(self, now: datetime) -> AskQuerySet:
        """Sent asks whose reminder date has come with no answer from the advocate yet."""
        return self.filter(status=S.SENT, follow_up_at__lte=now)

    def missed_send_window(self, now: datetime) -> AskQuerySet:
        """Asks whose send-by moment has passed unsent: still proposed or queued after it, or
        sent late. `Ask.missed_send_window` is the same rule for one ask."""
        unsent = Q(status__in=UNSENT_STATUSES, send_by__lt=now)
        late = Q(sent_at__gt=F("send_by"))
        return self.filter(send_by__isnull=False).filter(unsent | late)

    def paused(self) -> AskQuerySet:
        """Open asks on hold (by hand or by a guard); they keep their status."""
        return self.open().filter(paused_at__isnull=False)

    def active(self) -> AskQuerySet:
        """Open asks that are not paused: the ones that may move on."""
        return self.open().filter(paused_at__isnull=True)


class Ask(models.Model):
    # Indexed by the composite indexes below, which lead with the contact.
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="asks", db_index=False
    )
    # Asks are written by the thousand per run, so they carry only the indexes readers use:
    # by contact (with status, with type) and the unique key. Ask types are never deleted once
    # used (PROTECT) and signals are append-only, so neither needs an index of its own.
    ask_type = models.ForeignKey(
        AskType, on_delete=models.PROTECT, related_name="asks", db_index=False
    )
    play = models.CharField(max_length=100, blank=True, help_text="Empty for manual asks.")
    trigger_signal = models.ForeignKey(
        Signal, null=True, blank=True, on_delete=models.SET_NULL, related_name="asks",
        db_index=False,
    )  # fmt: skip
    # What makes an ask unique: the play, the contact and the triggering moment. For manual
    # asks the moment is the time it was opened.
    moment = models.CharField(max_length=100)
    status = models.CharField(max_length=20, choices=AskStatus.choices, default=S.PROPOSED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    owner_role = models.CharField(max_length=20, blank=True)
    channel = models.CharField(max_length=20, blank=True)
    # The play's channel sequence as it was when the ask opened: [{"channel": "email",
    # "after_hours": 0}, {"channel": "in_app", "after_hours": 120}]. The first is `channel`; each
    # later one goes its hours after the first email went out, if the ask is still unanswered
    # (advocacy.messaging.outbox.queue_steps). Empty: a manual ask, a single channel.
    sequence = models.JSONField(default=list, blank=True)
    opened_at = models.DateTimeField()
    # When the ask must go out (the play's timing, e.g. within 48 hours of the signal), apart
    # from `due_at`, the deadline for the advocate's answer (the play's SLA).
    send_by = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When it first moved to sent.")
    due_at = models.DateTimeField(null=True, blank=True)
    follow_up_at = models.DateTimeField(null=True, blank=True)
    # Set once by the escalation job when the ask stayed overdue past the grace period.
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalated_asks",
        db_index=False,  # read through the ask, never by the lead
    )
    updated_at = models.DateTimeField(auto_now=True)
    # On hold without losing the status: see advocacy.pipeline.pausing. `paused_by` names the
    # guard that paused it (empty: paused by hand); guards only resume what they paused.
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_reason = models.CharField(max_length=300, blank=True)
    paused_by = models.CharField(max_length=30, blank=True)
    # Verified, not self-reported: the site that showed the advocate's published review, and
    # its id of the review (one review closes one ask). Empty: as the team reported it.
    verified_by = models.CharField(max_length=50, blank=True)
    verified_ref = models.CharField(max_length=255, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    objects = AskQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["play", "contact", "moment"], name="ask_unique_play_contact_moment"
            ),
            models.UniqueConstraint(
                fields=["verified_by", "verified_ref"],
                condition=~models.Q(verified_ref=""),
                name="ask_verified_once",
            ),
        ]
        indexes = [
            models.Index(fields=["contact", "status"], name="ask_contact_status"),
            # "Has this contact an open ask of this type?", asked for every candidate of a
            # play: without it SQLite walks every ask of the type for each candidate.
            models.Index(fields=["contact", "ask_type"], name="ask_contact_type"),
            # The asks list's orders, a page read from the index.
            models.Index(fields=["opened_at", "id"], name="ask_opened_order"),
            models.Index(fields=["due_at", "id"], name="ask_due_order"),
        ]

    def __str__(self) -> str:
        return f"{self.ask_type} for {self.contact}"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def is_overdue(self, now: datetime) -> bool:
        """Open and past its due date: the rule of `AskQuerySet.overdue`, for one ask in hand."""
        return self.status in OPEN_STATUSES and self.due_at is not None and self.due_at < now

    def missed_send_window(self, now: datetime) -> bool:
        """Not sent by its send-by moment: the rule of `AskQuerySet.missed_send_window`."""
        if self.send_by is None:
            return False
        if self.sent_at is not None:
            return self.sent_at > self.send_by
        return self.status in UNSENT_STATUSES and self.send_by < now


class AskEvent(TransitionEvent):
    """One transition of one ask, with who made it and when."""

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="events")
    to_status = models.CharField(max_length=20, choices=AskStatus.choices)


# The advocacy agreement, the notices of what advocates did in the portal, their reach
# preferences and the times offered to them live in their own modules; imported here so Django
# registers them.
from advocacy.pipeline.agreements import Agreement, AgreementStatus  # noqa: E402, F401
from advocacy.pipeline.board import SavedView  # noqa: E402, F401
from advocacy.pipeline.notices import Notice  # noqa: E402, F401
from advocacy.pipeline.preferences import AdvocatePreferences  # noqa: E402, F401
from advocacy.pipeline.slots import AskSlot  # noqa: E402, F401
