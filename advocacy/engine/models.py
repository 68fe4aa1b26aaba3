"""The engine's tables: plays loaded from the playbook, decisions, and tap caps.

Caps are held by the database: one `TapClaim` row per (contact, effort class) with the moment the
next ask of that class is allowed. Opening an ask claims it with a conditional UPDATE, so two
processes racing for the same contact can never both succeed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from advocacy.customers.models import Contact
from advocacy.pipeline.models import Ask, Effort
from advocacy.signals.models import Signal


class TapClaim(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="tap_claims")
    effort = models.CharField(max_length=10, choices=Effort.choices)
    last_tapped_at = models.DateTimeField(null=True, blank=True)
    next_allowed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "effort"], name="tapclaim_unique_contact_effort"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}/{self.effort} next {self.next_allowed_at}"


class ContactPreference(models.Model):
    """An advocate's own limit for one effort class: it can only lengthen the policy's window."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="preferences")
    effort = models.CharField(max_length=10, choices=Effort.choices)
    min_days_between = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "effort"], name="preference_unique_contact_effort"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.effort} at most every {self.min_days_between} days"


class AskTypePreference(models.Model):
    """What an advocate said about one kind of ask: whether they do it at all, and how many
    they take per the policy's window for it (it can only tighten the policy's limit)."""

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="ask_type_preferences"
    )
    ask_type = models.ForeignKey(
        "pipeline.AskType", on_delete=models.CASCADE, related_name="preferences"
    )
    willing = models.BooleanField(default=True)
    max_asks = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "ask_type"], name="asktypepref_unique_contact_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}/{self.ask_type_id}: willing={self.willing} max={self.max_asks}"


class CapOverride(models.Model):
    """An audited exception: someone allowed an ask that the tap cap would have refused."""

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="cap_overrides")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    reason = models.TextField()
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"override on ask {self.ask_id} by {self.actor_id}"


class Play(models.Model):
    """A play as loaded from its YAML file; the file in the playbook folder is the source."""

    name = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    source_file = models.CharField(max_length=255)
    definition = models.JSONField()
    digest = models.CharField(max_length=64)
    enabled = models.BooleanField(default=True)
    loaded_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    # Signals with an id up to this one have been considered: incremental runs start after it.
    watermark = models.BigIntegerField(default=0)
    templates = models.JSONField(
        default=dict,
        blank=True,
        help_text="Learnt SQL of the play's candidate queries, by fingerprint (derived).",
    )
    running_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Outcome(models.TextChoices):
    ASKED = "asked", "Asked"
    HELD_OUT = "held_out", "Held out (control group)"
    BLOCKED_CAP = "blocked_cap", "Blocked by a tap cap"
    BLOCKED_EXCLUSION = "blocked_exclusion", "Blocked by an exclusion"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    NOT_IN_AUDIENCE = "not_in_audience", "Not in the audience"
    ALREADY_OPEN = "already_open", "Already has an open ask of this type"
    HELD_FOR_APPROVAL = "held_for_approval", "Held for approval"


class Decision(models.Model):
    """What a play decided for one contact at one triggering moment, and why.

    The most written table: every run adds a row per candidate, so it carries only the indexes
    its readers use. The unique key leads with the contact (the contact page, the evaluation's
    "already decided" probe, deletes of a contact); the play pages read by (play, outcome,
    decided_at); the few decisions that opened an ask are found by a partial index. Signals are
    append-only, so the trigger needs no index of its own.
    """

    play = models.ForeignKey(
        Play, on_delete=models.CASCADE, related_name="decisions", db_index=False
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="decisions", db_index=False
    )
    trigger_signal = models.ForeignKey(
        Signal, null=True, on_delete=models.SET_NULL, related_name="decisions", db_index=False
    )
    moment = models.CharField(max_length=100)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    # The reason code that decided it (advocacy.engine.rules.REASONS), and the words for people.
    code = models.CharField(max_length=40, blank=True)
    reasons = models.JSONField(default=list)
    ask = models.ForeignKey(Ask, null=True, blank=True, on_delete=models.SET_NULL, db_index=False)
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "play", "moment"], name="decision_unique_contact_play_moment"
            )
        ]
        indexes = [
            models.Index(fields=["play", "outcome", "decided_at"], name="decision_play_outcome"),
            models.Index(
                fields=["ask"], name="decision_ask", condition=models.Q(ask__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.play_id}/{self.contact_id}: {self.outcome}"


class ContactProfile(models.Model):
    """The profile of one contact as of `as_of`, kept for listing and filtering large programs.

    Derived, never edited: `advocacy.engine.state.refresh_profiles` rewrites rows in one
    INSERT ... SELECT from the same expressions the engine evaluates, for the contacts whose
    signals changed (or all of them).
    """

    contact = models.OneToOneField(
        Contact, primary_key=True, on_delete=models.CASCADE, related_name="profile"
    )
    account_id = models.BigIntegerField(db_index=True)
    nps = models.FloatField(null=True)
    nps_at = models.DateTimeField(null=True)
    health = models.FloatField(null=True)
    open_tickets = models.IntegerField(default=0)
    last_activity_at = models.DateTimeField(null=True)
    activities_12m = models.IntegerField(default=0)
    stage = models.CharField(max_length=20, db_index=True)
    rung = models.CharField(max_length=20, db_index=True)
    ready = models.CharField(
        max_length=300,
        blank=True,
        help_text="Codes of the ask types the contact is ready for, comma-separated.",
    )
    ready_count = models.IntegerField(
        default=0,
        help_text="How many ask types the contact is ready for: the advocates list's order.",
    )
    as_of = models.DateTimeField()

    class Meta:
        indexes = [
            # The advocates list, most ready first, read a page at a time from the index.
            models.Index(fields=["ready_count", "contact"], name="profile_readiness")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.stage}/{self.rung}"

    @property
    def ready_codes(self) -> list[str]:
        return [code for code in self.ready.split(",") if code]


class ProfileRow(models.Model):
    """One contact's profile columns as read from the signal log, in a temporary table.

    Not a table of the schema (`managed = False`): `advocacy.engine.state` fills it per chunk of
    contacts (each lookup on the signal log once per contact) so that the stage, the rung and
    every ask type's verdict are computed over plain columns, instead of Django copying each
    lookup into every expression that reads it. Per connection; emptied before each chunk.
    """

    contact_id = models.BigIntegerField(primary_key=True)
    account_id = models.BigIntegerField()
    nps = models.FloatField(null=True)
    nps_at = models.DateTimeField(null=True)
    csat = models.FloatField(null=True)
    health = models.FloatField(null=True)
    customer_since = models.DateField(null=True)
    last_activity_at = models.DateTimeField(null=True)
    last_milestone_at = models.DateTimeField(null=True)
    open_tickets = models.IntegerField(null=True)
    last_ticket_at = models.DateTimeField(null=True)
    last_renewal_at = models.DateTimeField(null=True)
    last_expansion_at = models.DateTimeField(null=True)
    last_result_at = models.DateTimeField(null=True)
    last_nomination_at = models.DateTimeField(null=True)
    activities_12m = models.IntegerField(null=True)
    reciprocity = models.FloatField(null=True)
    persona = models.CharField(max_length=30, null=True)
    industry = models.CharField(max_length=100, null=True)
    region = models.CharField(max_length=10, null=True)
    size_band = models.CharField(max_length=20, null=True)
    employees = models.IntegerField(null=True)
    arr = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    nda = models.BooleanField(null=True)
    sensitive_industry = models.BooleanField(null=True)
    competitor_adjacent = models.BooleanField(null=True)
    churn_risk = models.BooleanField(null=True)
    has_csm = models.BooleanField(null=True)
    opted_out = models.BooleanField(null=True)
    left_company = models.BooleanField(null=True)

    class Meta:
        managed = False
        db_table = "engine_profile_row"

    def __str__(self) -> str:
        return f"profile row of {self.contact_id}"
