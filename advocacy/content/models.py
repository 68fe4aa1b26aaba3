"""Assets (what advocacy produces), the consent their advocate gave, approvals, and every reuse.

An asset moves through an approval state machine whose legal moves are `TRANSITIONS`, beside
the states; `advocacy.content.services.move_asset` is the one place its status changes. The
consent in force is copied onto the asset (a flag per scope and its expiry) so the library
filters and the expiry job are plain indexed queries; every grant is kept in `Consent`.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from advocacy.core.models import TransitionEvent
from advocacy.customers.models import Account, Contact
from advocacy.pipeline.models import Ask


class AssetKind(models.TextChoices):
    QUOTE = "quote", "Quote"
    TESTIMONIAL = "testimonial", "Testimonial"
    CASE_STUDY = "case_study", "Case study"
    VIDEO = "video", "Video"
    REVIEW = "review", "Review"
    WEBINAR = "webinar", "Webinar"


class AssetStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ADVOCATE_REVIEW = "advocate_review", "Advocate review"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


S = AssetStatus
# The only legal moves. The advocate approves all content (seed 003): a draft goes to them for
# review; they approve it, ask for edits (back to draft) or decline it (revoked). Approved or
# published content is revoked at any time, and expires with its consent. Expired and revoked
# are final: reusing such an asset again means a new asset and a new consent.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.ADVOCATE_REVIEW}),
    S.ADVOCATE_REVIEW: frozenset({S.DRAFT, S.APPROVED, S.REVOKED}),
    S.APPROVED: frozenset({S.PUBLISHED, S.EXPIRED, S.REVOKED}),
    S.PUBLISHED: frozenset({S.EXPIRED, S.REVOKED}),
    S.EXPIRED: frozenset(),
    S.REVOKED: frozenset(),
}
# States in which an asset may be reused, and in which its consent can run out.
USABLE_STATUSES = frozenset({S.APPROVED, S.PUBLISHED})
LIVE_STATUSES = frozenset({S.ADVOCATE_REVIEW, S.APPROVED, S.PUBLISHED})


class ConsentScope(models.TextChoices):
    NAME = "name", "Name"
    LOGO = "logo", "Logo"
    TITLE = "title", "Title"
    QUOTE = "quote", "Quote text"
    VIDEO = "video", "Video"
    PRESS = "press", "Press"


# The Asset column holding each scope of the consent in force.
SCOPE_FIELDS: dict[str, str] = {scope: f"may_{scope}" for scope in ConsentScope.values}


class AssetQuerySet(models.QuerySet["Asset"]):
    def usable(self) -> AssetQuerySet:
        return self.filter(status__in=USABLE_STATUSES)

    def consented(self, scope: str) -> AssetQuerySet:
        """Assets whose consent in force grants `scope`."""
        return self.filter(**{SCOPE_FIELDS[scope]: True})

    def past_expiry(self, now: datetime) -> AssetQuerySet:
        """Approved or published assets whose consent ran out: the expiry job expires them."""
        return self.usable().filter(consent_expires_at__lte=now)

    def expiring(self, now: datetime, until: datetime) -> AssetQuerySet:
        """Live assets whose consent runs out after `now` and by `until`."""
        return self.filter(
            status__in=LIVE_STATUSES, consent_expires_at__gt=now, consent_expires_at__lte=until
        )


class Asset(models.Model):
    """One piece of content an advocate gave: a quote, a case study, a video, a review…"""

    kind = models.CharField(max_length=20, choices=AssetKind.choices, db_index=True)
    status = models.CharField(
        max_length=20, choices=AssetStatus.choices, default=S.DRAFT, db_index=True
    )
    title = models.CharField(max_length=200)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="assets")
    # The account the content speaks for, kept as it was when the asset was made: an advocate
    # who later moves company does not take the case study with them.
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="assets")
    ask = models.ForeignKey(
        Ask, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets"
    )
    body = models.TextField(blank=True, help_text="The quote, testimonial or story text.")
    url = models.URLField(max_length=500, blank=True, help_text="Review link, video URL…")
    # Case study fields, following the seed template.
    headline = models.CharField(max_length=200, blank=True, help_text="The compelling result.")
    overview = models.TextField(blank=True, help_text="About the customer.")
    challenge = models.TextField(blank=True)
    solution = models.TextField(blank=True)
    results = models.JSONField(default=list, blank=True, help_text="Quantified results.")
    quote = models.TextField(blank=True, help_text="The key quote.")
    look_ahead = models.TextField(blank=True)
    # The consent in force (the latest Consent), copied here for set-based queries.
    may_name = models.BooleanField(default=False)
    may_logo = models.BooleanField(default=False)
    may_title = models.BooleanField(default=False)
    may_quote = models.BooleanField(default=False)
    may_video = models.BooleanField(default=False)
    may_press = models.BooleanField(default=False)
    consent_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = AssetQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["status", "consent_expires_at"], name="asset_expiry"),
            # Global search: a prefix of the title.
            models.Index(Lower("title"), name="asset_lower_title"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scopes(self) -> list[str]:
        """The scopes granted by the consent in force, in declaration order."""
        return [s for s, column in SCOPE_FIELDS.items() if getattr(self, column)]


class AssetEvent(TransitionEvent):
    """One transition of one asset, with who made it, when and why."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="events")
    to_status = models.CharField(max_length=20, choices=AssetStatus.choices)


class Consent(models.Model):
    """What the advocate granted for one asset, until when, recorded by whom. Append-only:
    a renewal or a change is a new row, and the latest one is in force."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="consents")
    scopes = models.JSONField(default=list)
    granted_at = models.DateTimeField(help_text="When the advocate gave it.")
    expires_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{', '.join(self.scopes) or 'nothing'} until {self.expires_at:%Y-%m-%d}"


class Channel(models.TextChoices):
    WEBSITE = "website", "Website"
    LOGO_WALL = "logo_wall", "Logo wall"
    SALES_DECK = "sales_deck", "Sales deck"
    EMAIL = "email", "Lifecycle email"
    PRESS = "press", "Press"
    SOCIAL = "social", "Social"
    AD = "ad", "Advertising"
    EVENT = "event", "Event"


class UseOutcome(models.TextChoices):
    RECORDED = "recorded", "Recorded"
    REFUSED = "refused", "Refused"


class AssetUse(models.Model):
    """One use of an asset somewhere, or one refused attempt (kept for the audit)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="uses")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    where = models.CharField(max_length=500, blank=True, help_text="Page, deck, outlet, URL.")
    needs = models.JSONField(default=list, help_text="The consent scopes this use needs.")
    outcome = models.CharField(max_length=10, choices=UseOutcome.choices)
    reason = models.TextField(blank=True, help_text="Why it was refused.")
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    opportunity_ref = models.CharField(
        max_length=100,
        blank=True,
        help_text="The CRM opportunity (deal) id the asset was used in, for attribution.",
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["opportunity_ref"], name="assetuse_opportunity")]

    def __str__(self) -> str:
        return f"{self.asset_id} on {self.channel}: {self.outcome}"


class RepermissionQuerySet(models.QuerySet["Repermission"]):
    def open(self) -> RepermissionQuerySet:
        return self.filter(resolved_at__isnull=True)


class Repermission(models.Model):
    """A reminder that an asset's consent runs out soon and must be asked for again.

    Unique per (asset, expiry): the job raises it once per expiry date however often it runs;
    renewing the consent resolves it (a new expiry may raise a new one later).
    """

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="repermissions")
    expires_at = models.DateTimeField()
    raised_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=200, blank=True)

    objects = RepermissionQuerySet.as_manager()

    class Meta:
        ordering = ["expires_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "expires_at"], name="repermission_unique_asset_expiry"
            )
        ]

    def __str__(self) -> str:
        return f"re-permission asset {self.asset_id} before {self.expires_at:%Y-%m-%d}"
