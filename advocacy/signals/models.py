"""Signals: append-only facts that arrived, and the import runs that brought them.

A signal is unique per (source, key): the same fact delivered twice (a replayed webhook, a
re-imported file) is stored once. Its raw payload is kept so it can be replayed later.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models.lookups import IsNull

from advocacy.core.models import Job
from advocacy.customers.models import Account, Contact


class SignalKind(models.TextChoices):
    NPS = "nps", "NPS answer"
    CSAT = "csat", "CSAT answer"
    HEALTH_SCORE = "health_score", "Health score"
    USAGE_MILESTONE = "usage_milestone", "Usage milestone"
    ACTIVITY = "activity", "Product activity"
    RENEWAL = "renewal", "Renewal"
    EXPANSION = "expansion", "Expansion"
    TICKET_OPENED = "ticket_opened", "Support ticket opened"
    TICKET_CLOSED = "ticket_closed", "Support ticket closed"
    RESULT_SHARED = "result_shared", "Result or ROI shared"
    CSM_NOMINATION = "csm_nomination", "CSM nomination"
    REVIEW_PUBLISHED = "review_published", "Review published"
    REFERRAL_STATUS = "referral_status", "Referral status"
    REFERENCE_COMPLETED = "reference_completed", "Reference completed"
    CASE_STUDY_PUBLISHED = "case_study_published", "Case study published"
    QUOTE_APPROVED = "quote_approved", "Testimonial quote approved"
    VIDEO_PUBLISHED = "video_published", "Video testimonial published"
    TALK_GIVEN = "talk_given", "Talk or webinar given"
    CONTENT_PUBLISHED = "content_published", "Co-created content published"
    OPT_OUT = "opt_out", "Unsubscribe / opt-out"
    # Something the program gave the person (a reward credit, a value moment, recognition),
    # recorded by the program (advocacy.value.gifts): value +1, or -1 for a credit reversed.
    VALUE_GIVEN = "value_given", "Value given by the program"


# What counts as an advocacy activity: something an advocate did for the program. The one list
# the engine's `activities_12m` (and so the ladder rung) and the metrics' activities count.
ADVOCACY_ACTIVITY_KINDS: tuple[str, ...] = (
    SignalKind.REVIEW_PUBLISHED,
    SignalKind.REFERENCE_COMPLETED,
    SignalKind.REFERRAL_STATUS,
    SignalKind.CASE_STUDY_PUBLISHED,
    SignalKind.QUOTE_APPROVED,
    SignalKind.VIDEO_PUBLISHED,
    SignalKind.TALK_GIVEN,
    SignalKind.CONTENT_PUBLISHED,
)


@dataclass(frozen=True)
class Scale:
    """The values a scored kind takes: from `low` to `high`, whole numbers only if `whole`."""

    low: int
    high: int
    whole: bool

    @property
    def expected(self) -> str:
        number = "a whole number" if self.whole else "a number"
        return f"{number} from {self.low} to {self.high}"


# The scored kinds: each needs a `value` on its scale; any other kind may leave it empty.
# NPS is the 0-10 "how likely are you to recommend us" answer; CSAT the five-point
# satisfaction answer (1 very unsatisfied, 5 very satisfied); a health score is the CS tool's
# 0-100, with decimals. Checked by `advocacy.signals.checks`, for every way signals arrive.
SCALES: dict[str, Scale] = {
    SignalKind.NPS: Scale(0, 10, whole=True),
    SignalKind.CSAT: Scale(1, 5, whole=True),
    SignalKind.HEALTH_SCORE: Scale(0, 100, whole=False),
}
# The kinds whose value is an amount in dollars (the renewal's or the expansion's).
AMOUNT_KINDS = frozenset({SignalKind.RENEWAL, SignalKind.EXPANSION})
# The same scales as (low, high), for the charts.
VALUE_RANGES: dict[str, tuple[float, float]] = {
    kind: (scale.low, scale.high) for kind, scale in SCALES.items()
}


def _account_level(account_id: int) -> models.Q:
    # `contact_id + 0 IS NULL`, not `contact_id IS NULL`: the plain test lets SQLite answer it
    # from the contact index, walking every account-level signal of every account (0.45 s at
    # 200,000 signals); the expression leaves the search to the (account, kind, occurred_at)
    # index (1 ms).
    return models.Q(account_id=account_id) & models.Q(IsNull(models.F("contact_id") + 0, True))


class SignalQuerySet(models.QuerySet["Signal"]):
    def for_contact(self, contact: Contact) -> SignalQuerySet:
        """The contact's own signals and its account's account-level ones."""
        return self.filter(models.Q(contact=contact) | _account_level(contact.account_id))

    def account_level(self, account_id: int) -> SignalQuerySet:
        """The account's own signals, about no one contact."""
        return self.filter(_account_level(account_id))

    def timeline(self) -> SignalQuerySet:
        return self.order_by("-occurred_at", "-id")


class Signal(models.Model):
    source = models.CharField(max_length=50, help_text="Where it came from: csv, api, delighted…")
    key = models.CharField(max_length=255, help_text="Unique within the source.")
    kind = models.CharField(max_length=30, choices=SignalKind.choices)
    # No index of their own on the two keys: the compound indexes below start with them.
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="signals", db_index=False
    )
    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signals",
        db_index=False,
    )
    occurred_at = models.DateTimeField()
    value = models.FloatField(null=True, blank=True)
    text = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    objects = SignalQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="signal_unique_source_key")
        ]
        indexes = [
            models.Index(fields=["contact", "kind", "occurred_at"], name="signal_contact_kind_at"),
            models.Index(fields=["account", "kind", "occurred_at"], name="signal_account_kind_at"),
            # Covering for counts over a period by kind (NPS answers, activities): who and the
            # value are read from the index, not from rows scattered over the whole log.
            models.Index(
                fields=["kind", "occurred_at", "contact", "value"], name="signal_kind_at_who_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value if self.value is not None else ''}".strip()


class ImportKind(models.TextChoices):
    ACCOUNTS = "accounts", "Accounts"
    CONTACTS = "contacts", "Contacts"
    SIGNALS = "signals", "Signals"


class ImportStatus(models.TextChoices):
    PREVIEWING = "previewing", "Previewing"
    PREVIEWED = "previewed", "Previewed"
    COMMITTING = "committing", "Committing"
    COMMITTED = "committed", "Committed"
    REJECTED = "rejected", "Rejected (strict mode, nothing written)"
    FAILED = "failed", "Failed"


# A run in one of these is under way, or was stopped (a killed process): it can be resumed.
UNDER_WAY = (ImportStatus.PREVIEWING, ImportStatus.COMMITTING)


class ImportRun(models.Model):
    """One import of one file: what it would do (preview) or did (commit), and its bad rows.

    While a pass runs (previewing, committing) its counts are written with each chunk, in the
    chunk's transaction: they always say what is done. `attempt` fences the passes: each pass
    takes the next number, and a chunk is kept only while the run's number is still its own,
    so a resumed run never counts or writes a row twice.
    """

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    status = models.CharField(max_length=20, choices=ImportStatus.choices)
    filename = models.CharField(max_length=255)
    preset = models.CharField(max_length=30, blank=True)
    strict = models.BooleanField(default=False)
    encoding = models.CharField(max_length=30, blank=True)
    delimiter = models.CharField(max_length=5, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    upload = models.FileField(upload_to="imports/", blank=True)
    file_bytes = models.PositiveBigIntegerField(default=0)
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the file.")
    attempt = models.PositiveIntegerField(default=0)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    mapping = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    started_at = models.DateTimeField(auto_now_add=True)
    progressed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import of {self.filename}"

    @property
    def under_way(self) -> bool:
        return self.status in UNDER_WAY


class ImportRowError(models.Model):
    """A rejected row: where (line, column), what was expected and what was found."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField()
    column = models.CharField(max_length=255, blank=True)
    expected = models.CharField(max_length=255)
    found = models.TextField(blank=True)
    message = models.CharField(max_length=500)

    class Meta:
        ordering = ["line", "id"]

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"
