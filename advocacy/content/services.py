"""Content's rules in one place: create, move, consent, reuse, expire.

Status changes go through `move_asset` only: checked against `TRANSITIONS` and made by a
conditional UPDATE (`WHERE status = <the status the mover saw>`), so of two concurrent moves
only one wins, and each move writes an AssetEvent in the same transaction. `expire_assets` is the
same rule applied to a set. `record_use` is the one way a reuse is recorded: it refuses (and
records the refusal) when the asset is not approved or published, or its consent does not cover
what the use needs. Functions take `actor` and `now`; none reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from advocacy.content.hooks import assets_entered
from advocacy.content.models import (
    SCOPE_FIELDS,
    TRANSITIONS,
    USABLE_STATUSES,
    Asset,
    AssetEvent,
    AssetKind,
    AssetStatus,
    AssetUse,
    Channel,
    Consent,
    ConsentScope,
    Repermission,
    UseOutcome,
)
from advocacy.customers.models import Contact
from advocacy.people.models import Role
from advocacy.people.permissions import Action, allowed
from advocacy.pipeline.models import Ask
from advocacy.pipeline.notices import NoticeKind
from advocacy.pipeline.team_notices import tell_role

# What a use needs from the consent: its channel's scopes, its asset kind's, and whatever it
# shows besides (an attributed quote shows the name and the title).
CHANNEL_NEEDS: dict[str, frozenset[str]] = {
    Channel.WEBSITE: frozenset(),
    Channel.LOGO_WALL: frozenset({ConsentScope.LOGO, ConsentScope.NAME}),
    Channel.SALES_DECK: frozenset(),
    Channel.EMAIL: frozenset(),
    Channel.PRESS: frozenset({ConsentScope.PRESS}),
    Channel.SOCIAL: frozenset(),
    Channel.AD: frozenset(),
    Channel.EVENT: frozenset(),
}
KIND_NEEDS: dict[str, frozenset[str]] = {
    AssetKind.QUOTE: frozenset({ConsentScope.QUOTE}),
    AssetKind.TESTIMONIAL: frozenset({ConsentScope.QUOTE}),
    AssetKind.CASE_STUDY: frozenset(),  # renders anonymised without name and logo
    AssetKind.VIDEO: frozenset({ConsentScope.VIDEO}),
    AssetKind.REVIEW: frozenset(),  # the advocate published it themselves
    AssetKind.WEBINAR: frozenset({ConsentScope.VIDEO}),
}


class ContentError(Exception):
    """Input a content service cannot act on; the message says what is wrong."""


def allowed_moves(status: str) -> list[str]:
    """The states an asset in `status` may move to, in the order an asset lives through them."""
    allowed = TRANSITIONS.get(status, frozenset())
    return [s for s in AssetStatus.values if s in allowed]


class InvalidAssetTransition(Exception):
    """A move the transition table does not allow (or a state that moved on meanwhile)."""

    def __init__(self, asset_id: int | None, from_status: str, to_status: str, seen: str = ""):
        self.asset_id, self.from_status, self.to_status = asset_id, from_status, to_status
        self.allowed = allowed_moves(from_status)
        moves = ", ".join(self.allowed) if self.allowed else f"none ({from_status} is final)"
        if to_status not in AssetStatus.values:
            what = f"{to_status!r} is not a state of an asset ({', '.join(AssetStatus.values)})"
        elif seen and seen != from_status:
            what = f"it moved from {seen} to {from_status} meanwhile; cannot move it to {to_status}"
        else:
            what = f"cannot move from {from_status} to {to_status}"
        super().__init__(f"asset {asset_id}: {what}; allowed from {from_status}: {moves}")


class UseRefused(Exception):
    """A reuse the asset's state or consent does not allow; the refusal is recorded."""

    def __init__(self, use: AssetUse) -> None:
        self.use = use
        super().__init__(f"asset {use.asset_id} may not be used on {use.channel}: {use.reason}")


def _actor_id(actor: Any) -> Any:
    return getattr(actor, "pk", None)


CASE_STUDY_FIELDS = ("headline", "overview", "challenge", "solution", "results", "quote")
TEXT_FIELDS = ("body", "url", *CASE_STUDY_FIELDS, "look_ahead")


@transaction.atomic
def create_asset(
    *,
    kind: str,
    title: str,
    contact: Contact,
    actor: Any,
    now: datetime,
    ask: Ask | None = None,
    note: str = "",
    **fields: Any,
) -> Asset:
    """Create a draft asset of `contact` (and their account), optionally from `ask`.

    A draft by someone who may not review content waits for those who may (the marketing
    pool): they are told, in the same transaction."""
    if kind not in AssetKind.values:
        raise ContentError(f"{kind!r} is not a kind of asset ({', '.join(AssetKind.values)})")
    if not title.strip():
        raise ContentError("an asset needs a title")
    unknown = sorted(set(fields) - set(TEXT_FIELDS))
    if unknown:
        raise ContentError(f"unknown fields: {', '.join(unknown)}")
    if ask is not None and ask.contact_id != contact.pk:
        raise ContentError(f"ask {ask.pk} was made of another contact than {contact.email}")
    fields = _check_fields({"results": [], **fields})
    asset = Asset.objects.create(
        kind=kind,
        title=title.strip(),
        contact=contact,
        account_id=contact.account_id,
        ask=ask,
        created_by_id=_actor_id(actor),
        created_at=now,
        updated_at=now,
        **fields,
    )
    origin = f"from ask {ask.pk}" if ask is not None else "created"
    AssetEvent.objects.create(
        asset=asset,
        to_status=AssetStatus.DRAFT,
        actor_id=_actor_id(actor),
        note=f"{origin}: {note}" if note else origin,
        at=now,
    )
    if not allowed(actor, Action.CONTENT_MOVE):
        who = actor.get_username() if getattr(actor, "pk", None) else "The engine"
        tell_role(
            NoticeKind.APPROVAL_WAITING,
            Role.MARKETING,
            f"{who} drafted the {asset.get_kind_display().lower()} “{asset.title}” of "
            f"{contact.full_name or contact.email}: it waits for review",
            key=f"approval_waiting:{asset.pk}",
            now=now,
            path=f"/content/{asset.pk}/",
            contact_id=contact.pk,
        )
    return asset


EDITABLE_FIELDS = ("title", *TEXT_FIELDS)


def _check_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """The text fields of an asset, checked; ContentError naming what is wrong."""
    if "title" in fields and not str(fields["title"]).strip():
        raise ContentError("an asset needs a title")
    url = fields.get("url", "")
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ContentError(f"url must be an http(s) address, found {url!r}") from None
    if "results" in fields:
        results = fields["results"]
        if not isinstance(results, list) or not all(isinstance(r, str) for r in results):
            raise ContentError("results must be a list of sentences")
        fields["results"] = [r.strip() for r in results if r.strip()]
    return fields


@transaction.atomic
def edit_asset(asset: Asset, *, actor: Any, now: datetime, note: str = "", **fields: Any) -> Asset:
    """Change the text of a draft (after the advocate asked for edits, say); recorded as an event.

    Only drafts change: what the advocate reviews or approved is what gets used. The UPDATE is
    conditional on the asset still being a draft, so a concurrent send-for-review wins cleanly.
    """
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ContentError(f"unknown fields: {', '.join(unknown)}")
    fields = _check_fields(dict(fields))
    if "title" in fields:
        fields["title"] = fields["title"].strip()
    changed = [n for n in EDITABLE_FIELDS if n in fields and getattr(asset, n) != fields[n]]
    if not changed:
        return asset
    updated = Asset.objects.filter(pk=asset.pk, status=AssetStatus.DRAFT).update(
        **{name: fields[name] for name in changed}, updated_at=now
    )
    if updated != 1:
        current = Asset.objects.filter(pk=asset.pk).values_list("status", flat=True).first()
        raise ContentError(
            f"asset {asset.pk} is {current}: only a draft can be edited "
            "(ask for edits to bring it back to draft)"
        )
    what = f"edited {', '.join(changed)}"
    AssetEvent.objects.create(
        asset=asset,
        from_status=AssetStatus.DRAFT,
        to_status=AssetStatus.DRAFT,
        actor_id=_actor_id(actor),
        note=f"{what}: {note}" if note else what,
        at=now,
    )
    for name in changed:
        setattr(asset, name, fields[name])
    asset.updated_at = now
    return asset


@transaction.atomic
def move_asset(asset: Asset, to_status: str, *, actor: Any, now: datetime, note: str = "") -> Asset:
    """Move `asset` from the status it holds to `to_status`, or raise InvalidAssetTransition.

    `asset.status` is the state the caller saw; the UPDATE applies only if the row still holds
    it. Publishing needs a consent in force (recorded and not yet expired).
    """
    seen = asset.status
    if to_status not in TRANSITIONS.get(seen, frozenset()):
        raise InvalidAssetTransition(asset.pk, seen, to_status)
    if to_status == AssetStatus.PUBLISHED and (
        asset.consent_expires_at is None or asset.consent_expires_at <= now
    ):
        raise ContentError(
            f"asset {asset.pk} cannot be published without a consent in force: "
            "record the advocate's consent first"
        )
    changed = Asset.objects.filter(pk=asset.pk, status=seen).update(
        status=to_status, updated_at=now
    )
    if changed != 1:
        current = Asset.objects.filter(pk=asset.pk).values_list("status", flat=True).first()
        if current is None:
            raise Asset.DoesNotExist(f"no asset with id {asset.pk}")
        raise InvalidAssetTransition(asset.pk, current, to_status, seen=seen)
    AssetEvent.objects.create(
        asset=asset,
        from_status=seen,
        to_status=to_status,
        actor_id=_actor_id(actor),
        note=note,
        at=now,
    )
    assets_entered([asset.pk], to_status, now=now)  # the approval request's email, if any
    asset.status, asset.updated_at = to_status, now
    return asset


def end_of(day: date) -> datetime:
    """The moment a consent "until <day>" runs out: the start of the next day, local time."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def parse_scopes(scopes: Iterable[str]) -> list[str]:
    """The given scopes, checked and in declaration order; ContentError naming unknown ones."""
    given = {s.strip() for s in scopes if s.strip()}
    unknown = sorted(given - set(ConsentScope.values))
    if unknown:
        raise ContentError(
            f"unknown consent scope(s): {', '.join(unknown)} "
            f"(known: {', '.join(ConsentScope.values)})"
        )
    return [s for s in ConsentScope.values if s in given]


@transaction.atomic
def grant_consent(
    asset: Asset,
    scopes: Iterable[str],
    *,
    expires_at: datetime,
    actor: Any,
    now: datetime,
    granted_at: datetime | None = None,
    note: str = "",
) -> Consent:
    """Record what the advocate granted, until when; it replaces the consent in force.

    Granting again (a renewal) extends the expiry and resolves the open re-permission
    reminders of the asset. Expired and revoked assets take no new consent: they are final.
    """
    granted = parse_scopes(scopes)
    granted_at = granted_at or now
    if expires_at <= granted_at:
        raise ContentError("the consent must expire after it was granted")
    if granted_at > now:
        raise ContentError("the consent cannot be granted in the future")
    if asset.status in (AssetStatus.EXPIRED, AssetStatus.REVOKED):
        raise ContentError(
            f"asset {asset.pk} is {asset.status}: it is final; create a new asset to reuse it"
        )
    consent = Consent.objects.create(
        asset=asset,
        scopes=granted,
        granted_at=granted_at,
        expires_at=expires_at,
        recorded_by_id=_actor_id(actor),
        recorded_at=now,
        note=note,
    )
    columns: dict[str, Any] = {column: s in granted for s, column in SCOPE_FIELDS.items()}
    columns.update(consent_expires_at=expires_at, updated_at=now)
    Asset.objects.filter(pk=asset.pk).update(**columns)
    for name, value in columns.items():
        setattr(asset, name, value)
    Repermission.objects.open().filter(asset=asset, expires_at__lt=expires_at).update(
        resolved_at=now, resolution=f"consent renewed until {expires_at:%Y-%m-%d}"
    )
    return consent


def renew_consent(
    asset: Asset, *, expires_at: datetime, actor: Any, now: datetime, note: str = ""
) -> Consent:
    """Extend the consent in force to `expires_at`, with the same scopes."""
    if asset.consent_expires_at is None:
        raise ContentError(f"asset {asset.pk} has no consent to renew: record one first")
    if expires_at <= asset.consent_expires_at:
        raise ContentError(
            f"a renewal must extend the expiry beyond {asset.consent_expires_at:%Y-%m-%d}"
        )
    return grant_consent(
        asset, asset.scopes, expires_at=expires_at, actor=actor, now=now, note=note or "renewed"
    )


def needs_of(asset: Asset, channel: str, shows: Iterable[str] = ()) -> list[str]:
    """The consent scopes a use of `asset` on `channel` showing `shows` needs."""
    if channel not in Channel.values:
        raise ContentError(f"{channel!r} is not a channel ({', '.join(Channel.values)})")
    wanted = set(parse_scopes(shows)) | CHANNEL_NEEDS[channel] | KIND_NEEDS[asset.kind]
    return [s for s in ConsentScope.values if s in wanted]


def refusal(asset: Asset, needs: list[str], now: datetime) -> str:
    """Why `asset` may not be used for a use needing `needs` at `now`; empty when it may."""
    if asset.status not in USABLE_STATUSES:
        return f"it is {AssetStatus(asset.status).label.lower()}, not approved or published"
    if asset.consent_expires_at is None:
        return "no consent was recorded"
    if asset.consent_expires_at <= now:
        return f"its consent expired on {asset.consent_expires_at:%Y-%m-%d}"
    missing = [s for s in needs if not getattr(asset, SCOPE_FIELDS[s])]
    if missing:
        return f"the consent does not cover {', '.join(missing)}"
    return ""


def record_use(
    asset: Asset,
    channel: str,
    *,
    actor: Any,
    now: datetime,
    where: str = "",
    shows: Iterable[str] = (),
    note: str = "",
    opportunity_ref: str = "",
) -> AssetUse:
    """Record a use of `asset`, or record the refused attempt and raise UseRefused.

    `opportunity_ref` names the CRM deal the asset was used in (a deck sent to a prospect):
    the use then counts toward that deal's influence (docs/metrics.md "Attribution").

    The asset row is locked while it is checked, so a concurrent revoke or expiry either
    happens before (and the use is refused) or after (and the use was legitimately made).
    """
    needs = needs_of(asset, channel, shows)
    opportunity_ref = opportunity_ref.strip()
    if len(opportunity_ref) > 100:
        raise ContentError("an opportunity id is at most 100 characters")
    with transaction.atomic():
        current = Asset.objects.select_for_update().get(pk=asset.pk)
        reason = refusal(current, needs, now)
        use = AssetUse.objects.create(
            asset=current,
            channel=channel,
            where=where,
            needs=needs,
            outcome=UseOutcome.REFUSED if reason else UseOutcome.RECORDED,
            reason=reason,
            used_by_id=_actor_id(actor),
            at=now,
            note=note,
            opportunity_ref=opportunity_ref,
        )
    if reason:
        raise UseRefused(use)
    return use


@dataclass
class ExpiryRun:
    expired: list[int] = field(default_factory=list)
    flagged: list[int] = field(default_factory=list)  # assets given a new reminder

    def as_dict(self) -> dict[str, Any]:
        return {"expired": self.expired, "flagged": self.flagged}


@transaction.atomic
def expire_assets(now: datetime, *, repermission_days: int) -> ExpiryRun:
    """Expire approved and published assets whose consent ran out, and raise a re-permission
    reminder for live assets whose consent runs out within `repermission_days`.

    Set-based: one locking read, one UPDATE and one insert of events for the expiry; one read
    and one insert (against the unique (asset, expiry) constraint) for the reminders.
    """
    held = dict(
        Asset.objects.select_for_update()
        .past_expiry(now)
        .order_by("pk")
        .values_list("pk", "status")
    )
    run = ExpiryRun(expired=sorted(held))
    if held:
        Asset.objects.filter(pk__in=held, status__in=USABLE_STATUSES).update(
            status=AssetStatus.EXPIRED, updated_at=now
        )
        AssetEvent.objects.bulk_create(
            [
                AssetEvent(
                    asset_id=pk,
                    from_status=status,
                    to_status=AssetStatus.EXPIRED,
                    note="consent expired",
                    at=now,
                )
                for pk, status in held.items()
            ]
        )
        Repermission.objects.open().filter(asset_id__in=held).update(
            resolved_at=now, resolution="expired before the consent was renewed"
        )
    due = list(
        Asset.objects.expiring(now, now + timedelta(days=repermission_days))
        .exclude(repermissions__expires_at=F("consent_expires_at"))
        .values_list("pk", "consent_expires_at")
    )
    created = Repermission.objects.bulk_create(
        [Repermission(asset_id=pk, expires_at=at, raised_at=now) for pk, at in due if at],
        ignore_conflicts=True,
    )
    run.flagged = sorted(r.asset_id for r in created)
    return run
