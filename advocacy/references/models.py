"""The reference desk: requests filed by sales, offers to advocates, calls and their outcomes.

Requests move through `REQUEST_TRANSITIONS` (declared here, enforced in
`advocacy.references.services.move_request`). An offer is one candidate asked for one request;
it is tied to the `reference_call` ask it opened, whose status changes only through the
pipeline's `advance_ask`. `ReferenceAdvocate` is derived: the reference-ready advocates with the
fields matching ranks on, rewritten set-based by `advocacy.references.pool`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from advocacy.customers.models import Contact, Region, SizeBand
from advocacy.pipeline.models import Ask


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    OFFERED = "offered", "Offered"
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    UNFILLED = "unfilled", "Unfilled"
    CANCELLED = "cancelled", "Cancelled"


R = RequestStatus
# The only legal moves of a request. Offered -> open: the advocate declined, the request is free
# for the next candidate. Scheduled -> open: the call fell through (no-show or cancelled).
REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    R.OPEN: frozenset({R.OFFERED, R.UNFILLED, R.CANCELLED}),
    R.OFFERED: frozenset({R.OPEN, R.SCHEDULED, R.UNFILLED, R.CANCELLED}),
    R.SCHEDULED: frozenset({R.COMPLETED, R.OPEN, R.CANCELLED}),
    R.COMPLETED: frozenset(),
    R.UNFILLED: frozenset(),
    R.CANCELLED: frozenset(),
}
ACTIVE_STATUSES = frozenset({R.OPEN, R.OFFERED, R.SCHEDULED})


class RequestFormat(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "Email"


class OpportunityResult(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class ReferenceRequestQuerySet(models.QuerySet["ReferenceRequest"]):
    def active(self) -> ReferenceRequestQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)

    def filed_between(self, start: object, end: object) -> ReferenceRequestQuerySet:
        return self.filter(filed_at__gte=start, filed_at__lte=end)


class ReferenceRequest(models.Model):
    """Sales asks for a reference for one opportunity."""

    opportunity = models.CharField(max_length=200)
    opportunity_ref = models.CharField(
        max_length=100, blank=True, help_text="The opportunity's id in the CRM."
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    prospect_company = models.CharField(max_length=200)
    prospect_contacts = models.JSONField(
        default=list, blank=True, help_text="Emails of the prospect's people, for the invite."
    )
    industry = models.CharField(max_length=100)
    size_band = models.CharField(max_length=20, choices=SizeBand.choices, blank=True)
    region = models.CharField(max_length=10, choices=Region.choices, blank=True)
    products = models.JSONField(default=list, blank=True)
    use_case = models.CharField(max_length=200, blank=True)
    needed_by = models.DateField()
    format = models.CharField(max_length=10, choices=RequestFormat.choices, default="call")
    notes = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reference_requests"
    )
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=R.OPEN)
    result = models.CharField(
        max_length=10, choices=OpportunityResult.choices, default=OpportunityResult.OPEN
    )
    filed_at = models.DateTimeField()
    filled_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    objects = ReferenceRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "-id"]
        indexes = [
            models.Index(fields=["status", "needed_by"], name="refreq_status_needed"),
            models.Index(fields=["filed_at"], name="refreq_filed"),
            # Global search: a prefix of the prospect or the opportunity.
            models.Index(Lower("prospect_company"), name="refreq_lower_prospect"),
            models.Index(Lower("opportunity"), name="refreq_lower_opportunity"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity} ({self.prospect_company})"


class OfferStatus(models.TextChoices):
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Offer(models.Model):
    """One candidate asked to take one request; the ask it opened carries the tap cap."""

    request = models.ForeignKey(ReferenceRequest, on_delete=models.CASCADE, related_name="offers")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="reference_offers")
    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="reference_offers")
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default="offered")
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["offered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "contact"], name="offer_unique_request_contact"
            ),
            # At most one live offer per request: two desks offering at once cannot both win.
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status__in=["offered", "accepted"]),
                name="offer_one_live_per_request",
            ),
        ]

    def __str__(self) -> str:
        return f"offer of {self.contact_id} for request {self.request_id}: {self.status}"


class CallOutcome(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    NO_SHOW = "no_show", "No-show"
    CANCELLED = "cancelled", "Cancelled"


class ReferenceCall(models.Model):
    """One advocate with one prospect, or a group call for 2-4 requests."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="reference_calls")
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requests = models.ManyToManyField(ReferenceRequest, related_name="calls")
    uid = models.CharField(max_length=200, unique=True, help_text="The invite's stable UID.")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=20)
    outcome = models.CharField(
        max_length=10, choices=CallOutcome.choices, default=CallOutcome.SCHEDULED
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    sequence = models.PositiveIntegerField(default=0, help_text="Invite revision (RFC 5545).")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="refcall_rating_1_5",
            )
        ]

    def __str__(self) -> str:
        return f"reference call {self.pk} with {self.contact_id}"


class ReferenceAdvocate(models.Model):
    """A contact whose reference-call requirements hold, with what matching ranks on.

    Derived, never edited by hand: `advocacy.references.pool.refresh_pool` rewrites rows set-based
    from the engine's profile expressions; offers and calls update the counters and caps. The
    matching query reads only this table; its candidates are re-checked against the live policy
    before they are shown (see docs/reference-desk.md).
    """

    contact = models.OneToOneField(
        Contact, primary_key=True, on_delete=models.CASCADE, related_name="reference_pool"
    )
    account_id = models.BigIntegerField()
    industry = models.CharField(max_length=100)
    region = models.CharField(max_length=10)
    size_band = models.CharField(max_length=20)
    products = models.JSONField(default=list)
    use_cases = models.JSONField(default=list)
    ready = models.BooleanField(help_text="No exclusion in force as of the refresh.")
    quiet_until = models.DateTimeField(
        null=True, help_text="When a time-bound exclusion (a recent ticket) lapses."
    )
    next_allowed_at = models.DateTimeField(null=True, help_text="Medium-effort tap cap.")
    last_tapped_at = models.DateTimeField(null=True)
    calls_completed = models.IntegerField(default=0)
    rating_sum = models.IntegerField(default=0)
    rating_count = models.IntegerField(default=0)
    declines = models.IntegerField(default=0)
    standing = models.IntegerField(
        default=0, help_text="Rest and past outcomes as points; the order probes read in."
    )
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["ready", "industry", "region", "size_band", "-standing"], name="refadv_irs"
            ),
            models.Index(fields=["ready", "industry", "region", "-standing"], name="refadv_ir"),
            models.Index(fields=["ready", "industry", "size_band", "-standing"], name="refadv_is"),
            models.Index(fields=["ready", "industry", "-standing"], name="refadv_i"),
            models.Index(fields=["ready", "region", "size_band", "-standing"], name="refadv_rs"),
            models.Index(fields=["ready", "-standing"], name="refadv_any"),
        ]

    def __str__(self) -> str:
        return f"reference advocate {self.contact_id}"


class PoolState(models.Model):
    """One row: how far the periodic refresh of the pool has read the signal log."""

    watermark = models.BigIntegerField(default=0, help_text="The last signal id considered.")
    full_at = models.DateTimeField(null=True, help_text="The last refresh of every contact.")

    def __str__(self) -> str:
        return f"pool read up to signal {self.watermark}"
