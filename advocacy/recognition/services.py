"""Recognition: the champions group, the badge, and the featured customers.

- The **champions group** is derived, never joined: every reachable advocate whose tier, as of
  a moment, is the champions tier (ADVOCACY_CHAMPIONS_TIER, default the policy's first tier)
  or above. One query for all of them (advocacy.rewards.tiers).
- The **badge** may be had by a member of the group; one live badge per advocate and year, held
  by the database's constraint. It names the advocate only while a consent in force allows
  their name.
- The **featured customers** are those whose consent in force (on an approved or published
  asset) allows naming them; each shows only what the consent allows, read when asked, so a
  withdrawn consent takes them off at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf

from advocacy.content.models import Asset, AssetKind
from advocacy.customers.models import Contact
from advocacy.recognition.models import Badge
from advocacy.rewards.policy import Tier, TierPolicy, active_policy
from advocacy.rewards.tiers import annotate_tiers


class RecognitionError(ValueError):
    """A recognition request that cannot be done; the message says why."""


def champions_tier(policy: TierPolicy) -> Tier:
    """The tier from which an advocate is a champion (ADVOCACY_CHAMPIONS_TIER)."""
    code = settings.CHAMPIONS_TIER
    if not code:
        return policy.tiers[0]
    try:
        return policy.tier(code)
    except KeyError:
        known = ", ".join(t.code for t in policy.tiers)
        raise RecognitionError(
            f"ADVOCACY_CHAMPIONS_TIER: {code!r} is not a tier of {policy.name} ({known})"
        ) from None


@dataclass(frozen=True)
class Champion:
    contact_id: int
    email: str
    name: str
    account: str
    tier: str


def champions(as_of: datetime, policy: TierPolicy | None = None) -> list[Champion]:
    """The champions group as of a moment, by account and name (one query)."""
    policy = policy or active_policy()
    floor = champions_tier(policy).level
    rows = (
        annotate_tiers(Contact.objects.reachable(), policy, as_of)
        .filter(tier_level__gte=floor)
        .order_by("account__name", "last_name", "first_name", "pk")
        .values_list("pk", "email", "first_name", "last_name", "account__name", "tier_level")
    )
    return [
        Champion(pk, email, f"{first} {last}".strip(), account, policy.name_of(level))
        for pk, email, first, last, account, level in rows
    ]


def is_champion(contact: Contact, as_of: datetime, policy: TierPolicy | None = None) -> str:
    """The contact's tier name if they are in the champions group as of a moment, else ''."""
    policy = policy or active_policy()
    floor = champions_tier(policy).level
    qs = annotate_tiers(Contact.objects.reachable().filter(pk=contact.pk), policy, as_of)
    level = qs.values_list("tier_level", flat=True).first()
    return policy.name_of(level) if level is not None and level >= floor else ""


def consented_assets(now: datetime) -> QuerySet[Asset]:
    """Approved or published assets whose consent is in force at `now`, of a customer
    without an NDA (an NDA forbids naming the company, whatever an asset says)."""
    return Asset.objects.usable().filter(consent_expires_at__gt=now, account__nda=False)


def may_name(contact: Contact, now: datetime) -> bool:
    """Whether a consent in force allows naming this advocate."""
    return consented_assets(now).filter(contact=contact, may_name=True).exists()


def issue_badge(contact: Contact, *, actor: Any, now: datetime) -> Badge:
    """The advocate's live badge for this year: made now if they have none, refused unless they
    are in the champions group. Issuing twice returns the same badge (the unique constraint,
    not a check, decides)."""
    tier = is_champion(contact, now)
    if not tier:
        policy = active_policy()
        raise RecognitionError(
            f"{contact.email} is not in the champions group: the badge needs the"
            f" {champions_tier(policy).name} tier or above"
        )
    try:
        with transaction.atomic():
            return Badge.objects.create(
                contact=contact,
                token=secrets.token_urlsafe(24),
                tier=tier,
                year=now.year,
                issued_at=now,
                issued_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        return Badge.objects.live().get(contact=contact, year=now.year)


def revoke_badge(badge: Badge, *, actor: Any, now: datetime) -> Badge:
    """Close the badge's public address; refused if it is already revoked."""
    done = Badge.objects.filter(pk=badge.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor if getattr(actor, "pk", None) else None
    )
    if not done:
        raise RecognitionError(f"badge {badge.pk} is already revoked")
    badge.refresh_from_db()
    return badge


def live_badge(token: str) -> Badge | None:
    return Badge.objects.live().select_related("contact").filter(token=token).first()


@dataclass(frozen=True)
class BadgeView:
    """What a badge shows: the name only while a consent in force allows it."""

    badge: Badge
    name: str
    tier: str
    year: int

    @property
    def title(self) -> str:
        who = self.name or "A customer"
        return f"{who}: Customer Champion {self.year}"


def badge_view(badge: Badge, now: datetime) -> BadgeView:
    contact = badge.contact
    full = f"{contact.first_name} {contact.last_name}".strip()
    name = full if full and may_name(contact, now) else ""
    return BadgeView(badge, name, badge.tier, badge.year)


@dataclass(frozen=True)
class Featured:
    """One featured customer, only the consented fields filled (the others empty)."""

    contact_id: int
    account: str
    name: str
    title: str
    logo: bool
    quote: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "name": self.name,
            "title": self.title,
            "logo": self.logo,
            "quote": self.quote,
        }


def _flag(field: str) -> Max:
    return Max(Case(When(**{field: True}, then=1), default=0, output_field=IntegerField()))


def featured(now: datetime) -> list[Featured]:
    """The featured customers as of `now`: every reachable advocate with a consent in force
    that allows naming them, each field shown only if a consent in force allows it. One query."""
    assets = consented_assets(now).filter(contact__in=Contact.objects.reachable())
    quotes = (
        consented_assets(now)
        .filter(
            contact=OuterRef("contact"),
            may_name=True,
            may_quote=True,
            kind__in=[AssetKind.QUOTE, AssetKind.TESTIMONIAL, AssetKind.CASE_STUDY],
        )
        .exclude(Q(quote="") & Q(body=""))
        .order_by("-updated_at", "-id")
        .annotate(text=Coalesce(NullIf("quote", Value("")), "body", output_field=TextField()))
        .values("text")[:1]
    )
    rows = (
        assets.filter(may_name=True)
        .order_by()
        .values("contact")
        .annotate(
            title_ok=_flag("may_title"),
            logo_ok=_flag("may_logo"),
            quote=Subquery(quotes, output_field=TextField()),
        )
        .values_list(
            "contact",
            "account__name",
            "contact__first_name",
            "contact__last_name",
            "contact__title",
            "title_ok",
            "logo_ok",
            "quote",
        )
        .order_by("account__name", "contact__last_name", "contact__first_name", "contact")
    )
    return [
        Featured(
            pk,
            account,
            f"{first} {last}".strip(),
            title if title_ok else "",
            bool(logo_ok),
            quote or "",
        )
        for pk, account, first, last, title, title_ok, logo_ok, quote in rows
    ]


def badge_links(badge: Badge) -> dict[str, str]:
    """The badge's public addresses: its page (shared), its image (SVG, downloaded) and its
    preview (PNG, for the link previews that show no SVG)."""
    from django.urls import reverse

    page = reverse("web:badge", kwargs={"token": badge.token})
    image = reverse("web:badge_svg", kwargs={"token": badge.token})
    preview = reverse("web:badge_png", kwargs={"token": badge.token})
    return {
        "page": settings.SITE_URL + page,
        "image": settings.SITE_URL + image,
        "preview": settings.SITE_URL + preview,
    }


def badge_row(badge: Badge, now: datetime) -> dict[str, Any]:
    """A badge for the CLI and the API: its tier, year, links and the name it shows."""
    view = badge_view(badge, now)
    return {
        "id": badge.pk,
        "email": badge.contact.email,
        "tier": badge.tier,
        "year": badge.year,
        "shows_name": view.name,
        "issued_at": badge.issued_at.isoformat(),
        "revoked_at": badge.revoked_at.isoformat() if badge.revoked_at else None,
        **({} if badge.revoked_at else badge_links(badge)),
    }


def current_badge(contact: Contact, now: datetime) -> Badge | None:
    """The advocate's live badge of this year, if any."""
    return (
        Badge.objects.live()
        .select_related("contact")
        .filter(contact=contact, year=now.year)
        .first()
    )
