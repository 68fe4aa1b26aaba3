"""Referrals as plain rows and in words, for the CLI (the API has its schemas, the web its
templates): one shape for `list`, `show` and the answers of `create` and `move`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from advocacy.referrals.models import Referral, ReferralEvent, ReferralStatus


def dollars(cents: int | None) -> str:
    if cents is None:
        return "—"
    whole, part = divmod(cents, 100)
    return f"${whole:,}" + (f".{part:02d}" if part else "")


def link_of(code: str) -> str:
    """The advocate's referral link: the public form behind their code."""
    return f"{settings.SITE_URL}/r/{code}/"


def referral_row(r: Referral, status: str | None = None) -> dict[str, Any]:
    return {
        "id": r.pk,
        "advocate": r.advocate.email,
        "advocate_id": r.advocate_id,
        "prospect_name": r.prospect_name,
        "prospect_email": r.prospect_email,
        "prospect_company": r.prospect_company,
        "prospect_domain": r.prospect_domain,
        "status": status or r.status,
        "deal": None if r.deal_cents is None else r.deal_cents / 100,
        "via": r.via,
        "submitted_at": r.submitted_at.isoformat(),
    }


def event_row(e: ReferralEvent) -> dict[str, Any]:
    return {
        "from": e.from_status,
        "to": e.to_status,
        "by": e.by,
        "note": e.note,
        "at": e.at.isoformat(),
    }


def label(status: str) -> str:
    return ReferralStatus(status).label if status in ReferralStatus.values else status


def line(r: dict[str, Any]) -> str:
    return (
        f"{r['id']:>6}  {r['submitted_at'][:10]}  {label(r['status']):<15} "
        f"{r['prospect_company'][:30]:<30} {r['prospect_name'][:25]:<25} by {r['advocate']}"
    )


def when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")


def sentence(reason: str) -> str:
    """A refusal's reason as a sentence for the advocate's pages: capitalised (unless it starts
    with an address or a domain, which stay as typed) and ended with a full stop."""
    first = reason.split(" ", 1)[0]
    if "@" not in first and "." not in first:
        reason = reason[:1].upper() + reason[1:]
    return reason + "."
