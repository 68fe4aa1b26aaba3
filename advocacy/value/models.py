"""Value moments: what the program gives before it asks (docs/value-moments.md).

A ValueMoment is one value moment written to one person for one period: the monthly insight
to an account's admin, the weekly insight to someone who opted in, the annual summary. It
points at the outbox row that carries it (its numbers are that row's `payload`). The unique
(contact, kind, period) makes a rerun of any send write nothing twice.

An InsightsPreference is the person's own choice of the weekly email: off unless they (in the
portal) or the team said yes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from advocacy.customers.models import Contact
from advocacy.messaging.models import Message


class MomentKind(models.TextChoices):
    MONTHLY = "monthly", "Monthly admin insights"
    WEEKLY = "weekly", "Weekly insights"
    WRAPPED = "wrapped", "The year in review"
    ACCOUNT_WRAPPED = "account_wrapped", "The account's year in review"


class ValueMoment(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="value_moments")
    kind = models.CharField(max_length=20, choices=MomentKind.choices)
    # The period it covers, as its label: 2026-11 (a month), 2026-W48 (an ISO week), 2026.
    period = models.CharField(max_length=10)
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="value_moment")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "kind", "period"], name="value_moment_once_per_period"
            )
        ]
        indexes = [models.Index(fields=["kind", "period"], name="value_moment_kind_period")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} to {self.contact_id}"


class PreferenceSource(models.TextChoices):
    PORTAL = "portal", "The advocate, in the portal"
    STAFF = "staff", "The team"


class InsightsPreference(models.Model):
    """Whether one person wants the weekly insights email (absent: no)."""

    contact = models.OneToOneField(
        Contact, primary_key=True, on_delete=models.CASCADE, related_name="insights_preference"
    )
    weekly = models.BooleanField(default=False)
    set_at = models.DateTimeField()
    set_in = models.CharField(max_length=10, choices=PreferenceSource.choices)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["weekly"], name="insights_pref_weekly")]

    def __str__(self) -> str:
        return f"{self.contact_id}: weekly {'on' if self.weekly else 'off'}"
