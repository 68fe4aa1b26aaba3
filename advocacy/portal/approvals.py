"""The advocate approves all content: approve with the consent they grant, send changes, decline.

A draft sent for the advocate's review (`advocate_review`) is theirs to answer, through the
content services only (`move_asset`, `grant_consent`, `edit_asset`), so the transition table and
the consent rules hold as for the team:

- approve: the consent they grant (which scopes, until when) is recorded, then the asset moves
  to approved, in one transaction;
- send changes: the asset goes back to draft with their wording applied and their note, for the
  author to look at and send for review again;
- decline: the asset is revoked (final).

The author (or, failing one, marketing) gets a notice of each answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from advocacy.content.models import Asset, AssetKind, AssetStatus, ConsentScope
from advocacy.content.services import (
    KIND_NEEDS,
    ContentError,
    InvalidAssetTransition,
    edit_asset,
    end_of,
    grant_consent,
    move_asset,
    parse_scopes,
)
from advocacy.customers.models import Contact
from advocacy.pipeline.notices import NoticeDraft, NoticeKind, notify

IN_PORTAL = "in the portal"
MAX_NOTE = 2000
MAX_CONSENT = timedelta(days=5 * 366)
DEFAULT_CONSENT = timedelta(days=365)

# What each scope lets the program do, in the advocate's words.
SCOPE_WORDS: dict[str, str] = {
    ConsentScope.NAME: "Show my name",
    ConsentScope.LOGO: "Show our company's logo",
    ConsentScope.TITLE: "Show my job title",
    ConsentScope.QUOTE: "Quote my words",
    ConsentScope.VIDEO: "Use the video or recording",
    ConsentScope.PRESS: "Share it with the press",
}

# The parts of each kind of content the advocate may reword before sending it back.
EDITABLE: dict[str, tuple[str, ...]] = {
    AssetKind.QUOTE: ("body",),
    AssetKind.TESTIMONIAL: ("body",),
    AssetKind.REVIEW: ("body",),
    AssetKind.CASE_STUDY: ("headline", "challenge", "solution", "results", "quote", "look_ahead"),
    AssetKind.VIDEO: (),
    AssetKind.WEBINAR: (),
}


class ApprovalRefused(Exception):
    """The draft cannot be answered as asked; the message says why, in plain words."""


def awaiting(contact: Contact) -> list[Asset]:
    """The advocate's content waiting for their review, oldest first."""
    return list(
        Asset.objects.filter(contact=contact, status=AssetStatus.ADVOCATE_REVIEW).order_by(
            "updated_at", "pk"
        )
    )


def scope_words(scopes: Iterable[str]) -> str:
    """What a consent allows, in the advocate's words."""
    given = set(scopes)
    words = [SCOPE_WORDS[s] for s in ConsentScope.values if s in given]
    return "; ".join(words) if words else "Nothing that names you or quotes you"


def offered_scopes(asset: Asset) -> list[str]:
    """The scopes the advocate may grant: all, but the logo when their company is under an NDA
    (no logo use), which is the company's to lift, not theirs."""
    nda = asset.account.nda
    return [s for s in ConsentScope.values if not (nda and s == ConsentScope.LOGO)]


def suggested_scopes(asset: Asset) -> list[str]:
    """The scopes the asset needs to be used at all (a quote needs its words quoted)."""
    return [s for s in ConsentScope.values if s in KIND_NEEDS[asset.kind]]


def last_day(expires_at: datetime) -> date:
    """The last day a consent that runs out at `expires_at` is in force (local time)."""
    return timezone.localtime(expires_at - timedelta(microseconds=1)).date()


def default_until(now: datetime) -> date:
    return (now + DEFAULT_CONSENT).date()


def _notice(asset: Asset, kind: str, text: str, now: datetime) -> NoticeDraft:
    return NoticeDraft(
        key=f"{kind}:asset:{asset.pk}:{now.isoformat()}",
        kind=kind,
        contact_id=asset.contact_id,
        ask_id=asset.ask_id,
        recipient_id=asset.created_by_id,
        role="marketing",
        text=text,
    )


def _who(asset: Asset) -> str:
    return asset.contact.full_name or asset.contact.email


def _check_review(asset: Asset) -> None:
    if asset.status != AssetStatus.ADVOCATE_REVIEW:
        raise ApprovalRefused(
            f"“{asset.title}” is no longer waiting for your review "
            f"({AssetStatus(asset.status).label.lower()})"
        )


@transaction.atomic
def approve(asset: Asset, scopes: Iterable[str], *, until: date, now: datetime) -> Asset:
    """Record the consent the advocate grants until the end of `until`, then approve."""
    _check_review(asset)
    granted = parse_scopes(scopes)
    refused = sorted(set(granted) - set(offered_scopes(asset)))
    if refused:
        raise ApprovalRefused(
            "your company's agreement with us does not let us show its logo or name it"
        )
    expires = end_of(until)
    if expires <= now:
        raise ApprovalRefused("the permission must last until a day after today")
    if expires > now + MAX_CONSENT:
        raise ApprovalRefused("the permission can last five years at most")
    try:
        grant_consent(
            asset,
            granted,
            expires_at=expires,
            actor=None,
            now=now,
            note=f"granted by the advocate {IN_PORTAL}",
        )
        move_asset(
            asset,
            AssetStatus.APPROVED,
            actor=None,
            now=now,
            note=f"approved by the advocate {IN_PORTAL}",
        )
    except (ContentError, InvalidAssetTransition) as exc:
        raise ApprovalRefused(str(exc)) from None
    what = scope_words(granted).lower()
    notify(
        [
            _notice(
                asset,
                NoticeKind.CONTENT_APPROVED,
                f"{_who(asset)} approved “{asset.title}” ({what}; until {until:%d %b %Y}).",
                now,
            )
        ],
        now=now,
    )
    return asset


@transaction.atomic
def send_changes(asset: Asset, changes: Mapping[str, object], *, note: str, now: datetime) -> Asset:
    """Back to draft with the advocate's wording and note, for the author to look at."""
    _check_review(asset)
    allowed = EDITABLE[asset.kind]
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ApprovalRefused(f"these parts cannot be changed here: {', '.join(unknown)}")
    note = note.strip()[:MAX_NOTE]
    changed = {k: v for k, v in changes.items() if getattr(asset, k) != v}
    if not changed and not note:
        raise ApprovalRefused("change the wording or say what you would like changed")
    try:
        move_asset(
            asset,
            AssetStatus.DRAFT,
            actor=None,
            now=now,
            note=f"the advocate asked for changes {IN_PORTAL}" + (f": {note}" if note else ""),
        )
        if changed:
            edit_asset(asset, actor=None, now=now, note=f"by the advocate {IN_PORTAL}", **changed)
    except (ContentError, InvalidAssetTransition) as exc:
        raise ApprovalRefused(str(exc)) from None
    parts = ", ".join(changed) if changed else "no wording"
    text = f"{_who(asset)} sent changes to “{asset.title}” ({parts} changed)"
    notify(
        [
            _notice(
                asset,
                NoticeKind.CONTENT_EDITED,
                text + (f": “{note}”." if note else "."),
                now,
            )
        ],
        now=now,
    )
    return asset


@transaction.atomic
def decline(asset: Asset, *, reason: str, now: datetime) -> Asset:
    """The advocate does not want it used: revoked, for good."""
    _check_review(asset)
    reason = " ".join(reason.split())[:MAX_NOTE]
    try:
        move_asset(
            asset,
            AssetStatus.REVOKED,
            actor=None,
            now=now,
            note=f"declined by the advocate {IN_PORTAL}" + (f": {reason}" if reason else ""),
        )
    except InvalidAssetTransition as exc:
        raise ApprovalRefused(str(exc)) from None
    text = f"{_who(asset)} declined “{asset.title}”" + (f": “{reason}”." if reason else ".")
    notify([_notice(asset, NoticeKind.CONTENT_DECLINED, text, now)], now=now)
    return asset
