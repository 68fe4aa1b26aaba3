"""The rewards ledger, redemptions and the quarterly budget.

The ledger is append-only: a credit (positive), a debit (negative) or a reversal (the negation
of the entry it reverses, at most one per entry). A balance is always the sum of a contact's
entries; nothing is ever updated or deleted in place (the QuerySet and the model refuse it; the
contact's own erasure, by the privacy app, is the one way entries leave the table).

Amounts are integer cents. Redemption states and their legal moves:

    held ──release──▶ requested ──fulfil──▶ fulfilled
      └────refuse──▶ refused ◀──refuse──┘

A redemption's debit is written when it is requested (held ones too), so the balance never
promises the same money twice; a refusal writes the debit's reversal.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q


class AppendOnly(Exception):
    """A ledger entry may not be changed or deleted: reverse it instead."""


class RewardType(models.TextChoices):
    DONATION = "donation", "Charity donation in your name"
    PRODUCT_CREDIT = "product_credit", "Product credit"
    GIFT_CARD = "gift_card", "Gift card"
    EXPERIENCE = "experience", "Experience"
    ACCESS = "access", "Access (roadmap briefing, early access, executive time)"


class EntryKind(models.TextChoices):
    CREDIT = "credit", "Credit"
    DEBIT = "debit", "Debit"
    REVERSAL = "reversal", "Reversal"


class EntryQuerySet(models.QuerySet["Entry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("ledger entries are never updated: write a reversal")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("ledger entries are never deleted: write a reversal")

    def as_of(self, at: Any) -> EntryQuerySet:
        return self.filter(at__lte=at)


class Entry(models.Model):
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.CASCADE, related_name="reward_entries"
    )
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    amount_cents = models.BigIntegerField(help_text="Positive for credits, negative for debits.")
    reason = models.CharField(max_length=300)
    # What earned it: the activity (an ask), or a referral (its bonus, advocacy.rewards.bonuses).
    ask = models.ForeignKey(
        "pipeline.Ask",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reward_entries",
        db_index=False,  # covered by the unique key of automatic credits
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reward_entries",
        db_index=False,  # covered by entry_one_bonus_per_referral_event
    )
    redemption = models.ForeignKey(
        "Redemption", null=True, blank=True, on_delete=models.CASCADE, related_name="entries"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="reversed_by"
    )
    reward_type = models.CharField(max_length=20, choices=RewardType.choices, blank=True)
    # Automatic credits carry a key ("activity:<ask>:<tier>:<n>", "quarter:<q>:<tier>:<n>",
    # "referral:<id>:<event>"):
    # unique, so a hook run twice or two processing runs credit once.
    key = models.CharField(max_length=100, blank=True)
    quarter = models.CharField(max_length=7, help_text="The quarter it counts in: 2026Q4.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="entry_unique_key"),
            # A referral's bonus for one event (meeting booked, closed won) is credited once,
            # however often the referral moves back and forth ("referral:<id>:<event>").
            models.UniqueConstraint(
                fields=["referral", "key"],
                condition=Q(kind="credit", referral__isnull=False),
                name="entry_one_bonus_per_referral_event",
            ),
            models.CheckConstraint(
                condition=(Q(kind="credit", amount_cents__gt=0, reverses__isnull=True))
                | Q(kind="debit", amount_cents__lt=0, reverses__isnull=True)
                | Q(kind="reversal", reverses__isnull=False),
                name="entry_sign_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["contact", "at"], name="entry_contact_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.amount_cents / 100:.2f} to {self.contact_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnly("ledger entries are never updated: write a reversal")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("ledger entries are never deleted: write a reversal")


class RedemptionStatus(models.TextChoices):
    HELD = "held", "Held for review"
    REQUESTED = "requested", "Awaiting fulfilment"
    FULFILLED = "fulfilled", "Fulfilled"
    REFUSED = "refused", "Refused"


REDEMPTION_MOVES: dict[str, frozenset[str]] = {
    RedemptionStatus.HELD: frozenset({RedemptionStatus.REQUESTED, RedemptionStatus.REFUSED}),
    RedemptionStatus.REQUESTED: frozenset({RedemptionStatus.FULFILLED, RedemptionStatus.REFUSED}),
    RedemptionStatus.FULFILLED: frozenset(),
    RedemptionStatus.REFUSED: frozenset(),
}


class RedemptionQuerySet(models.QuerySet["Redemption"]):
    def committed(self) -> RedemptionQuerySet:
        """Spent or promised: everything but the refused."""
        return self.exclude(status=RedemptionStatus.REFUSED)


class Redemption(models.Model):
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.CASCADE, related_name="redemptions"
    )
    reward_type = models.CharField(max_length=20, choices=RewardType.choices)
    charity = models.CharField(max_length=50, blank=True, help_text="A charity's code (donations).")
    amount_cents = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=RedemptionStatus.choices)
    held_reason = models.CharField(max_length=300, blank=True)
    quarter = models.CharField(max_length=7)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The fulfilment: who delivered what, and when.
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivered = models.CharField(max_length=300, blank=True, help_text="What was delivered.")

    objects = RedemptionQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [models.Index(fields=["quarter", "status"], name="redemption_quarter_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="redemption_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reward_type_display()} for {self.contact_id} ({self.status})"


class Budget(models.Model):
    """What the program may spend on rewards in one quarter."""

    quarter = models.CharField(max_length=7, unique=True)
    amount_cents = models.BigIntegerField()
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gte=0), name="budget_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.quarter}: {self.amount_cents / 100:.2f}"
