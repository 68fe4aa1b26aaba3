"""Staff users, their roles, and the API keys they hold."""

from __future__ import annotations

import hashlib
import secrets
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    CUSTOMER_SUCCESS = "cs", "Customer success"
    SALES = "sales", "Sales"
    MARKETING = "marketing", "Marketing"
    VIEWER = "viewer", "Read-only"


class NotifyBy(models.TextChoices):
    """How the notices addressed to a user reach them, beyond their work queue (where every
    notice is, whatever they choose)."""

    EMAIL = "email", "Email"
    SLACK = "slack", "Slack"
    BOTH = "both", "Email and Slack"
    QUEUE = "queue", "Work queue only"


# The choices under which the outbox emails a user their notices.
BY_EMAIL = (NotifyBy.EMAIL, NotifyBy.BOTH)


class User(AbstractUser):
    """A member of the team running the program (advocates never log in here)."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CUSTOMER_SUCCESS)
    notify_by = models.CharField(
        "Notices reach me by",
        max_length=10,
        choices=NotifyBy.choices,
        default=NotifyBy.EMAIL,
        help_text="Every notice is on the work queue; this says where else it goes.",
    )

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    @property
    def is_program_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN


class Scope(models.TextChoices):
    """What an API key may do. `read` covers every GET; each write area has its own scope."""

    READ = "read", "Read everything"
    CUSTOMERS_WRITE = "customers:write", "Create and update accounts and contacts"
    SIGNALS_WRITE = "signals:write", "Send signals"
    IMPORTS_WRITE = "imports:write", "Run CSV imports"
    PLAYS_RUN = "plays:run", "Load and run plays, refresh profiles"
    ASKS_WRITE = "asks:write", "Open asks by hand"
    CONTENT_WRITE = "content:write", "Create content, move it, record consent and reuse"
    REFERENCES_WRITE = "references:write", "File reference requests, offer, schedule, record"
    SCORECARD_WRITE = "scorecard:write", "Set the scorecard's baselines and targets"
    USERS_WRITE = "users:write", "Manage users and API keys"
    PRIVACY_WRITE = "privacy:write", "Export or erase a person's data"
    PRODUCT_EVENTS_READ = "product_events:read", "Read the product events feed"
    REWARDS_WRITE = "rewards:write", "Credit, redeem, review and fulfil rewards"
    REFERRALS_WRITE = "referrals:write", "Record referrals for advocates and move them"
    CONNECTORS_WRITE = "connectors:write", "Add and remove connections, replay their inbox"
    ME_WRITE = "me:write", "Change one's own settings: how notices reach one, saved views"


KEY_PREFIX = "adv_"


def hash_secret(secret: str) -> str:
    # API keys carry 256 bits of randomness, so a fast hash is enough (no password stretching).
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiKey(models.Model):
    """A key shown once at creation; only its prefix and hash are stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    hashed = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
        """Create a key and return it with the full secret, which is never stored."""
        unknown = sorted(set(scopes) - set(Scope.values))
        if unknown:
            raise ValueError(f"unknown scopes: {', '.join(unknown)}")
        prefix = secrets.token_hex(4)
        secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        key = cls.objects.create(
            user=user, name=name, prefix=prefix, hashed=hash_secret(secret), scopes=sorted(scopes)
        )
        return key, secret

    @classmethod
    def authenticate(cls, secret: str) -> ApiKey | None:
        if not secret.startswith(KEY_PREFIX) or secret.count("_") < 2:
            return None
        prefix = secret[len(KEY_PREFIX) :].split("_", 1)[0]
        key = cls.objects.active().select_related("user").filter(prefix=prefix).first()
        if key is None or not secrets.compare_digest(key.hashed, hash_secret(secret)):
            return None
        cls.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
        return key

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


class Via(models.TextChoices):
    """Where a change came from."""

    WEB = "web", "Web UI"
    API = "api", "REST API"
    CLI = "cli", "Command line"
    SLACK = "slack", "Slack"
    SYSTEM = "system", "The engine"


class AuditEntry(models.Model):
    """One change someone made: who, when, what, from where. Append-only.

    `actor_name` keeps the name when the user is later deleted; `target` names what changed
    ("ask 12", "user ann"); `detail` holds what was submitted (secrets never) or the change's
    before and after.
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    actor_name = models.CharField(max_length=150, blank=True)
    via = models.CharField(max_length=10, choices=Via.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    key_prefix = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=40, db_index=True)
    target = models.CharField(max_length=200, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action} {self.target}"
