"""The advocacy agreement: what an advocate agreed to do, what they get, and for how long.

Seed 003, "Formal agreement": a written advocacy agreement (not a legal contract) with a scope
(which kinds of advocacy), benefits, a term, and an opt-out at any time, without penalty. One
agreement per contact may be in force (draft or active) at a time, held by a partial unique
constraint; ended and opted-out agreements stay as history.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from advocacy.customers.models import Contact


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"
    OPTED_OUT = "opted_out", "Opted out"


CURRENT_STATUSES = (AgreementStatus.DRAFT, AgreementStatus.ACTIVE)
FINAL_STATUSES = (AgreementStatus.ENDED, AgreementStatus.OPTED_OUT)


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def current(self) -> AgreementQuerySet:
        """Draft or active: the one agreement a contact may hold at a time."""
        return self.filter(status__in=CURRENT_STATUSES)

    def in_force(self, on: date) -> AgreementQuerySet:
        """Active, and `on` within its term (an open end runs until ended)."""
        return self.filter(status=AgreementStatus.ACTIVE, starts_on__lte=on).filter(
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=on)
        )


class Agreement(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="agreements")
    status = models.CharField(
        max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    scope = models.JSONField(
        default=list, blank=True, help_text="Codes of the ask types the advocate agreed to."
    )
    benefits = models.TextField(blank=True, help_text="What the advocate gets in return.")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Empty: until ended.")
    signed_on = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"],
                condition=models.Q(status__in=["draft", "active"]),
                name="agreement_one_current_per_contact",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="agreement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} agreement of {self.contact}"

    def covers(self, ask_type_code: str, on: date) -> bool:
        """Active on `on` and with `ask_type_code` in its scope."""
        in_term = self.starts_on <= on and (self.ends_on is None or on <= self.ends_on)
        return self.status == AgreementStatus.ACTIVE and in_term and ask_type_code in self.scope
