"""How an advocate wants to be reached, and what they like to talk about.

Which kinds of ask they do and how often are the engine's (`ContactPreference`,
`AskTypePreference`: they tighten the tap caps); this is the rest of what the advocate says in
the portal: the channels they prefer and the topics they are happy to speak to. One row per
contact, written by `advocacy.engine.preferences.set_preferences`.
"""

from __future__ import annotations

from django.db import models

from advocacy.customers.models import Contact


class ReachChannel(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"
    SLACK = "slack", "Slack"


class Topic(models.TextChoices):
    """What a reference call or a story may be about (the talking points advocates are given)."""

    CHOOSING = "choosing", "How we chose the product"
    IMPLEMENTATION = "implementation", "Implementation experience"
    RESULTS = "results", "Results and ROI"
    VALUE = "value", "What we value most"
    ADVICE = "advice", "Advice to others evaluating it"
    INDUSTRY = "industry", "Our industry and its challenges"


class AdvocatePreferences(models.Model):
    contact = models.OneToOneField(
        Contact, on_delete=models.CASCADE, related_name="advocate_preferences"
    )
    channels = models.JSONField(default=list, blank=True, help_text="ReachChannel values.")
    topics = models.JSONField(default=list, blank=True, help_text="Topic values.")
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "advocate preferences"

    def __str__(self) -> str:
        return f"preferences of {self.contact_id}"
