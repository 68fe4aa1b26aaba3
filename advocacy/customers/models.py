"""Accounts (customer companies) and contacts (people there), one identity across sources.

An account or contact is found by any of its identities: a contact by email or by an external id
from a CRM or survey tool, an account by domain or external id. Identities are unique per
(source, external_id), so two sources can never claim the same id for two records.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from advocacy.core.models import TimestampedModel
from advocacy.core.zones import validate_zone


class Region(models.TextChoices):
    NORTH_AMERICA = "na", "North America"
    LATIN_AMERICA = "latam", "Latin America"
    EMEA = "emea", "Europe, Middle East & Africa"
    APAC = "apac", "Asia Pacific"


class SizeBand(models.TextChoices):
    """Employee-count bands, the usual B2B segmentation."""

    SMB = "smb", "SMB (1-99)"
    MID_MARKET = "mid_market", "Mid-market (100-999)"
    ENTERPRISE = "enterprise", "Enterprise (1,000-9,999)"
    STRATEGIC = "strategic", "Strategic (10,000+)"

    @classmethod
    def for_employees(cls, employees: int) -> SizeBand:
        if employees < 100:
            return cls.SMB
        if employees < 1000:
            return cls.MID_MARKET
        if employees < 10000:
            return cls.ENTERPRISE
        return cls.STRATEGIC


class Persona(models.TextChoices):
    """What a person can credibly advocate (seed 004: technical vs business vs peer voice)."""

    EXECUTIVE = "executive", "Executive"
    DECISION_MAKER = "decision_maker", "Decision maker"
    CHAMPION = "champion", "Champion"
    ADMIN = "admin", "Admin"
    POWER_USER = "power_user", "Power user"
    END_USER = "end_user", "End user"


class AccountQuerySet(models.QuerySet["Account"]):
    def search(self, text: str) -> AccountQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(models.Q(name__icontains=text) | models.Q(domain__icontains=text))


class Account(TimestampedModel):
    name = models.CharField(max_length=255)
    domain = models.CharField(max_length=255, null=True, blank=True, unique=True)
    industry = models.CharField(max_length=100, blank=True, db_index=True)
    region = models.CharField(max_length=10, choices=Region.choices, blank=True, db_index=True)
    size_band = models.CharField(max_length=20, choices=SizeBand.choices, blank=True, db_index=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    arr = models.DecimalField("ARR", max_digits=14, decimal_places=2, null=True, blank=True)
    products = models.JSONField(default=list, blank=True)
    use_cases = models.JSONField(default=list, blank=True)
    competitors_replaced = models.JSONField(default=list, blank=True)
    customer_since = models.DateField(null=True, blank=True)
    renewal_date = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_accounts",
        help_text="The CSM who owns the relationship.",
    )
    # Flags that govern asking (seed 003, Exclude).
    nda = models.BooleanField("NDA / no logo use", default=False)
    sensitive_industry = models.BooleanField(default=False)
    competitor_adjacent = models.BooleanField(default=False)
    churn_risk = models.BooleanField(default=False)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(Lower("name"), name="account_lower_name")]

    def __str__(self) -> str:
        return self.name


class AccountIdentity(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="identities")
    source = models.CharField(max_length=50)
    external_id = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="account_identity_unique_source_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class ContactQuerySet(models.QuerySet["Contact"]):
    def search(self, text: str) -> ContactQuerySet:
        text = text.strip()
        if not text:
            return self
        q = (
            models.Q(email__icontains=text)
            | models.Q(first_name__icontains=text)
            | models.Q(last_name__icontains=text)
            | models.Q(account__name__icontains=text)
        )
        return self.filter(q)

    def reachable(self) -> ContactQuerySet:
        """Still at the account and not opted out."""
        return self.filter(left_company_at__isnull=True, opted_out_at__isnull=True)


class Contact(TimestampedModel):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    email = models.EmailField(max_length=254, unique=True, help_text="Stored lower-cased.")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=200, blank=True)
    persona = models.CharField(max_length=20, choices=Persona.choices, blank=True, db_index=True)
    phone = models.CharField(max_length=50, blank=True)
    # The person's own time zone (IANA name), for quiet hours; blank: ADVOCACY_TIME_ZONE.
    timezone = models.CharField(
        max_length=64,
        blank=True,
        default="",
        db_default="",  # rows written as plain SQL (the demo, bulk loaders) leave it blank
        validators=[validate_zone],
        help_text="IANA name, e.g. Europe/Paris.",
    )
    left_company_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            # The contacts list's default order, read from the index a page at a time.
            models.Index(fields=["last_name", "first_name", "id"], name="contact_name_order"),
            # Global search: a prefix of either name (advocacy.workqueue.search).
            models.Index(Lower("first_name"), name="contact_lower_first_name"),
            models.Index(Lower("last_name"), name="contact_lower_last_name"),
            # The few who left or opted out, read as a set to exclude from counts over everyone.
            models.Index(
                fields=["id"],
                name="contact_unreachable",
                condition=models.Q(left_company_at__isnull=False)
                | models.Q(opted_out_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ContactIdentity(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    source = models.CharField(max_length=50)
    external_id = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="contact_identity_unique_source_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class SuppressionKind(models.TextChoices):
    EMAIL = "email", "Email"
    IDENTITY = "identity", "Identity in another system"
    # Unsubscribed from email: never written to again, but still imported (it is no erasure).
    MAIL = "mail", "Unsubscribed from email"


class Suppression(models.Model):
    """A person erased on request, kept only as a keyed hash so they are never re-imported.

    `digest` is HMAC-SHA256 of the normalised email, or of one (source, external id), under the
    suppression key (advocacy.customers.suppression); nothing here can be turned back into the
    address. Unique, so erasing twice or from two places at once stores one row.
    """

    digest = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=10, choices=SuppressionKind.choices)
    erased_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.kind} erased on {self.erased_at:%Y-%m-%d}"


class Deal(TimestampedModel):
    """A deal (HubSpot) or opportunity (Salesforce) as its CRM last said, for attribution.

    Written only by the CRM sync (advocacy.customers.deals), keyed by (source, external_id): a
    deal synced again is updated in place. `account` is the customer account it is with, when
    the CRM names one we know. `modified_at` is the CRM's own last change."""

    source = models.CharField(max_length=50)
    external_id = models.CharField(max_length=255)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    name = models.CharField(max_length=255, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    stage = models.CharField(max_length=100, blank=True)
    is_won = models.BooleanField(default=False)
    is_closed = models.BooleanField(default=False)
    opened_at = models.DateTimeField(null=True, blank=True, help_text="Created in the CRM.")
    closed_on = models.DateField(null=True, blank=True)
    modified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="deal_unique_source_id")
        ]
        indexes = [models.Index(fields=["account", "closed_on"], name="deal_account_closed")]

    def __str__(self) -> str:
        return self.name or f"{self.source}:{self.external_id}"


class DealContact(models.Model):
    """A contact's part in a deal (Salesforce's OpportunityContactRole, HubSpot's association
    of a deal to a contact, with its label): one row per (deal, contact)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="contacts")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="deal_roles")
    role = models.CharField(max_length=100, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deal", "contact"], name="deal_contact_once")
        ]
        indexes = [models.Index(fields=["contact"], name="deal_contact_by_contact")]

    def __str__(self) -> str:
        return f"{self.contact_id} in deal {self.deal_id}: {self.role or 'contact'}"
