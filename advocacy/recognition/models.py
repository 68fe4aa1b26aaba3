"""Badges: the shareable "Customer Champion" badge of one advocate for one year.

A badge is reached by an unguessable token at a public address; revoking it closes the
address at once. The name it shows is not stored: it is read from the consent in force each
time the badge is drawn, so a withdrawn consent takes the name off at once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from advocacy.customers.models import Contact


class BadgeQuerySet(models.QuerySet["Badge"]):
    def live(self) -> BadgeQuerySet:
        return self.filter(revoked_at__isnull=True)


class Badge(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="badges")
    token = models.CharField(max_length=43, unique=True)
    tier = models.CharField(max_length=100, help_text="The tier's name when it was issued.")
    year = models.PositiveSmallIntegerField()
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = BadgeQuerySet.as_manager()

    class Meta:
        constraints = [
            # One live badge per advocate and year: issuing twice returns the same one.
            models.UniqueConstraint(
                fields=["contact", "year"],
                condition=Q(revoked_at__isnull=True),
                name="recognition_one_live_badge_a_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tier} {self.year} badge of {self.contact}"
