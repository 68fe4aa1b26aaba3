"""Demo content: assets for a few of the asks the plays opened, so the library is not empty.

Small and deterministic: at most `limit` assets, spread over the approval states, with
consents (one running out soon, so a re-permission reminder shows) and a few uses, one refused.
Everything goes through the content services, as a person's work would.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from django.conf import settings

from advocacy.content.models import Asset, AssetKind, AssetStatus
from advocacy.content.services import (
    UseRefused,
    create_asset,
    expire_assets,
    grant_consent,
    move_asset,
    record_use,
)
from advocacy.pipeline.models import Ask, AskStatus

KIND_OF_ASK = {
    "case_study": AssetKind.CASE_STUDY,
    "testimonial_quote": AssetKind.QUOTE,
    "video_testimonial": AssetKind.VIDEO,
    "review": AssetKind.REVIEW,
}
# The state each demo asset is taken to, in turn.
PATHS: list[list[str]] = [
    [AssetStatus.ADVOCATE_REVIEW, AssetStatus.APPROVED, AssetStatus.PUBLISHED],
    [AssetStatus.ADVOCATE_REVIEW],
    [AssetStatus.ADVOCATE_REVIEW, AssetStatus.APPROVED],
    [],
    [AssetStatus.ADVOCATE_REVIEW, AssetStatus.APPROVED, AssetStatus.PUBLISHED],
    [AssetStatus.ADVOCATE_REVIEW, AssetStatus.REVOKED],
]
SCOPES = [
    ["name", "logo", "title", "quote", "press"],
    ["quote", "title"],
    ["name", "quote", "video"],
]


def seed_content(*, now: datetime, limit: int = 12) -> int:
    """Create up to `limit` demo assets from content-producing asks; returns how many."""
    if Asset.objects.exists():
        return 0
    done_first: list[str] = [
        AskStatus.PUBLISHED,
        AskStatus.COMPLETED,
        AskStatus.ACCEPTED,
        AskStatus.SENT,
    ]
    asks = list(
        Ask.objects.filter(ask_type__code__in=KIND_OF_ASK)
        .select_related("contact", "contact__account", "ask_type")
        .order_by("-opened_at", "id")[: limit * 4]
    )
    asks.sort(key=lambda a: done_first.index(a.status) if a.status in done_first else 9)
    made = 0
    for index, ask in enumerate(asks[:limit]):
        kind = KIND_OF_ASK[ask.ask_type.code]
        company = ask.contact.account.name
        asset = create_asset(
            kind=kind,
            title=f"{company}: {AssetKind(kind).label.lower()}",
            contact=ask.contact,
            ask=ask,
            actor=None,
            now=now,
            body=f"{company} runs on it every day; onboarding new teams takes hours, not weeks.",
            url="https://www.g2.com/" if kind == AssetKind.REVIEW else "",
            headline="Onboarding in hours instead of weeks",
            challenge=f"{company} onboarded each new team by hand over several weeks.",
            solution="They rolled out guided onboarding and templates to every team.",
            results=["Onboarding time down 70%", "Support tickets down 35%", "NPS up 18 points"],
            quote="We got our weeks back, and the teams love it.",
            note="demo",
        )
        # Every third consent runs out inside the re-permission window.
        days = settings.CONTENT_REPERMISSION_DAYS // 2 if index % 3 == 2 else 365
        grant_consent(
            asset,
            SCOPES[index % len(SCOPES)],
            expires_at=now + timedelta(days=days),
            actor=None,
            now=now,
            note="demo",
        )
        for status in PATHS[index % len(PATHS)]:
            move_asset(asset, status, actor=None, now=now, note="demo")
        if asset.status == AssetStatus.PUBLISHED:
            for channel, where in (("website", "/customers"), ("press", "Trade press")):
                # A use the consent does not cover is refused and shows in the reuse log.
                with contextlib.suppress(UseRefused):
                    record_use(asset, channel, actor=None, now=now, where=where)
        made += 1
    expire_assets(now, repermission_days=settings.CONTENT_REPERMISSION_DAYS)
    return made
