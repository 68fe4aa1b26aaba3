"""Who owns an ask and what is done for it: routing rules, checklist templates, an ask's steps.

Kept beside `models.py` (and imported by it) so the ask's own model stays small. Foreign keys
to the ask and its type are by name, so this module imports nothing from `models.py`.

- A **routing rule** picks an owner (a user, or a role pool) for asks by type, stage, account
  segment and account owner; the first enabled rule by position wins (`routing.py`).
- A **checklist template** is one version of the steps of an ask type. Editing a template
  writes a new version; an ask copies its steps when it is opened (copy-on-start), so editing
  never rewrites a running ask (`checklists.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from advocacy.customers.models import Region, SizeBand
from advocacy.people.models import Role


class Stage(models.TextChoices):
    """Who an ask belongs to as it lives (seed 002): CS owns the relationship and nomination,
    marketing the packaging (from completed to published)."""

    RELATIONSHIP = "relationship", "Relationship and nomination"
    PACKAGING = "packaging", "Packaging and publishing"


PACKAGING_STATUSES = frozenset({"completed", "published"})


def stage_of(status: str) -> str:
    """The stage an ask in `status` is in; the same rule as `routing.stage_expression`."""
    return Stage.PACKAGING if status in PACKAGING_STATUSES else Stage.RELATIONSHIP


class RoutingRule(models.Model):
    """Asks matching every non-empty criterion go to `owner` (a user) or to the `role` pool."""

    position = models.PositiveIntegerField(default=100, help_text="Lower positions win first.")
    name = models.CharField(max_length=100)
    enabled = models.BooleanField(default=True)
    ask_type = models.ForeignKey(
        "pipeline.AskType", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    region = models.CharField(max_length=10, choices=Region.choices, blank=True)
    size_band = models.CharField(max_length=20, choices=SizeBand.choices, blank=True)
    industry = models.CharField(max_length=100, blank=True, help_text="Compared case-blind.")
    account_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Only asks at accounts this user owns.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The user who gets the ask.",
    )
    role = models.CharField(
        max_length=20,
        blank=True,
        choices=Role.choices,
        help_text="The role pool (with no owner: anyone in it).",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner__isnull=False) | ~models.Q(role=""),
                name="routing_rule_has_target",
                violation_error_message="a rule needs an owner (a user) or a role pool, or both",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def criteria(self) -> str:
        """The rule's conditions in words, for lists."""
        parts = [
            f"{label} {value}"
            for label, value in (
                ("type", self.ask_type.code if self.ask_type else ""),
                ("stage", self.stage),
                ("region", self.region),
                ("size", self.size_band),
                ("industry", self.industry),
                ("account owner", self.account_owner.get_username() if self.account_owner else ""),
            )
            if value
        ]
        return ", ".join(parts) or "every ask"

    def target(self) -> str:
        who = self.owner.get_username() if self.owner else ""
        pool = f"{self.role} pool" if self.role else ""
        return f"{who} ({pool})" if who and pool else who or pool


class ChecklistTemplate(models.Model):
    """One version of an ask type's steps; the highest version is the current one."""

    ask_type = models.ForeignKey(
        "pipeline.AskType", on_delete=models.CASCADE, related_name="checklist_templates"
    )
    version = models.PositiveIntegerField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["ask_type", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["ask_type", "version"], name="checklist_template_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ask_type_id} v{self.version}"


class StepFields(models.Model):
    """What a step says: its order, who does it, its text, and the status it brings the ask to."""

    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    owner_role = models.CharField(max_length=20, blank=True)
    text = models.TextField(
        blank=True, help_text="Talking points, questions, a script outline or an email template."
    )
    requires_status = models.CharField(
        max_length=20, blank=True, help_text="Ticking the step moves the ask to this status."
    )

    class Meta:
        abstract = True


class ChecklistStep(StepFields):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="steps")

    class Meta:
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "position"], name="checklist_step_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class AskStep(StepFields):
    """A step of one ask, copied from its type's template when the ask was opened."""

    ask = models.ForeignKey("pipeline.Ask", on_delete=models.CASCADE, related_name="steps")
    template = models.ForeignKey(
        ChecklistTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["ask", "position"]
        constraints = [
            models.UniqueConstraint(fields=["ask", "position"], name="ask_step_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"
