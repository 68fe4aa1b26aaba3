"""Referrals: an advocate's code and link, the peers they refer, and each move of a referral.

A referral moves through `MOVES` (declared here, enforced in
`advocacy.referrals.services.move`) by a conditional UPDATE; every move writes a
`ReferralEvent` with who made it. The first referrer of a prospect wins: the normalised email
and the company's domain are each unique (`referral_first_per_email`,
`referral_first_per_domain`), so two advocates referring the same prospect at once cannot both
succeed. Amounts are integer cents.

    submitted ──▶ meeting booked ──▶ qualified ──▶ closed won
        │  ◀──────────┘ ◀──────────────┘  └──────▶ closed lost
        └──────────────▶ closed lost ◀─ (from any open status)
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery


class ReferralStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    MEETING_BOOKED = "meeting_booked", "Meeting booked"
    QUALIFIED = "qualified", "Qualified"
    CLOSED_WON = "closed_won", "Closed won"
    CLOSED_LOST = "closed_lost", "Closed lost"


S = ReferralStatus
# The only legal moves. Back one step: the meeting fell through (meeting booked → submitted), the
# deal was not qualified after all (qualified → meeting booked). Closed won and lost are final.
MOVES: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.MEETING_BOOKED, S.CLOSED_LOST}),
    S.MEETING_BOOKED: frozenset({S.QUALIFIED, S.SUBMITTED, S.CLOSED_LOST}),
    S.QUALIFIED: frozenset({S.CLOSED_WON, S.MEETING_BOOKED, S.CLOSED_LOST}),
    S.CLOSED_WON: frozenset(),
    S.CLOSED_LOST: frozenset(),
}
OPEN_STATUSES = frozenset({S.SUBMITTED, S.MEETING_BOOKED, S.QUALIFIED})


class Via(models.TextChoices):
    FORM = "form", "The public referral form"
    PORTAL = "portal", "The advocate's portal"
    STAFF = "staff", "The team, for the advocate"


class ReferralCode(models.Model):
    """An advocate's own code; their link is /r/<code>/."""

    contact = models.OneToOneField(
        "customers.Contact", on_delete=models.CASCADE, related_name="referral_code"
    )
    code = models.CharField(max_length=20, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.code


class ReferralQuerySet(models.QuerySet["Referral"]):
    def as_of(self, at: Any, status: str = "") -> ReferralQuerySet:
        """Referrals submitted by `at`, each with `status_then`: its status at that moment (from
        its moves); only those in `status` then, when given."""
        last = ReferralEvent.objects.filter(referral=OuterRef("pk"), at__lte=at).order_by(
            "-at", "-id"
        )
        found = self.filter(submitted_at__lte=at).annotate(
            status_then=Subquery(last.values("to_status")[:1])
        )
        return found.filter(status_then=status) if status else found

    def open(self) -> ReferralQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Referral(models.Model):
    advocate = models.ForeignKey(
        "customers.Contact", on_delete=models.CASCADE, related_name="referrals_made"
    )
    prospect_name = models.CharField(max_length=200)
    prospect_email = models.CharField(max_length=254, help_text="Stored lower-cased.")
    prospect_company = models.CharField(max_length=200)
    # The company's domain (from its website, else the email's), lower-cased; blank for a
    # personal mailbox (gmail.com and the like), which names no company.
    prospect_domain = models.CharField(max_length=255, blank=True)
    prospect_title = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=ReferralStatus.choices, default=S.SUBMITTED)
    deal_cents = models.BigIntegerField(null=True, blank=True, help_text="The deal's amount.")
    via = models.CharField(max_length=10, choices=Via.choices)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # First reached (kept when the referral moves back): what the metrics count, once each.
    qualified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["prospect_email"], name="referral_first_per_email"),
            models.UniqueConstraint(
                fields=["prospect_domain"],
                condition=~Q(prospect_domain=""),
                name="referral_first_per_domain",
            ),
            models.CheckConstraint(
                condition=Q(deal_cents__isnull=True) | Q(deal_cents__gte=0),
                name="referral_deal_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="referral_status_submitted"),
            models.Index(fields=["qualified_at"], name="referral_qualified"),
            models.Index(fields=["closed_at"], name="referral_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.prospect_name} ({self.prospect_company})"

    @property
    def status_as_of(self) -> str:
        """The status at the moment `as_of` asked about, else the status now."""
        return str(getattr(self, "status_then", None) or self.status)


class ReferralEvent(models.Model):
    """One move of a referral (its submission too: from blank to submitted), with who made it."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who, in words, when no staff user did it: "the advocate (portal)", "the public form".
    by = models.CharField(max_length=100)
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"], name="referralevent_referral_at")]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_status or '-'} → {self.to_status}"

    @property
    def from_label(self) -> str:
        return ReferralStatus(self.from_status).label if self.from_status in S.values else ""
