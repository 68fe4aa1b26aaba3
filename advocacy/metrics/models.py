"""The program scorecard: for some metrics of the catalogue, the team's baseline and target.

Everything else in this app is read-only aggregate queries; the scorecard is the one thing the
team edits. One row per metric (the catalogue code), unique, so saving twice updates.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Window(models.TextChoices):
    """The trailing span a scorecard value is measured over, ending now."""

    MONTH = "month", "a month (the last 30 days)"
    QUARTER = "quarter", "a quarter (the last 90 days)"


# How many days each window spans: `advocacy.metrics.catalogue.WINDOW_DAYS`, with the default
# period of every page and command, so the two can never drift apart.


class Cadence(models.TextChoices):
    """How often the team reviews the number."""

    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class ScorecardEntry(models.Model):
    metric = models.CharField(max_length=50, unique=True, help_text="A catalogue code.")
    baseline = models.FloatField(null=True, blank=True, help_text="Empty when unknown.")
    target = models.FloatField(null=True, blank=True, help_text="Empty until the team sets one.")
    window = models.CharField(max_length=10, choices=Window.choices, default=Window.QUARTER)
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.MONTHLY)
    position = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["position", "metric"]

    def __str__(self) -> str:
        baseline = "no baseline" if self.baseline is None else self.baseline
        target = "no target" if self.target is None else self.target
        return f"{self.metric}: {baseline} -> {target} per {self.window}"
