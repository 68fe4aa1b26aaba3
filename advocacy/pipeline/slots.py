"""Times offered to an advocate for an ask that needs a meeting: the advocate chooses one.

The reference desk offers a few times for an accepted reference call; the advocate picks the one
that suits them in the portal ("advocate chooses time"), and the call is scheduled at it. At most
one time of an ask is chosen, held by a partial unique constraint, so two choices made at once
cannot both win.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class AskSlotQuerySet(models.QuerySet["AskSlot"]):
    def open(self) -> AskSlotQuerySet:
        """Not chosen, and no other time of the same ask chosen either."""
        chosen = AskSlot.objects.filter(ask=models.OuterRef("ask"), chosen_at__isnull=False)
        return self.filter(chosen_at__isnull=True).exclude(models.Exists(chosen))


class AskSlot(models.Model):
    ask = models.ForeignKey("pipeline.Ask", on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=20)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_at = models.DateTimeField()
    chosen_at = models.DateTimeField(null=True, blank=True)

    objects = AskSlotQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ask", "starts_at"], name="askslot_unique_time"),
            models.UniqueConstraint(
                fields=["ask"], condition=Q(chosen_at__isnull=False), name="askslot_one_chosen"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} for ask {self.ask_id}"
