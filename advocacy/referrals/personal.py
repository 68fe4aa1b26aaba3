"""What referrals hold about a person, for the privacy export and erasure (customers.holdings).

As a referrer: the referrals they made (and their moves) hang off the contact, so the
contact's own deletion removes them; the export lists them, without the referred peer's name
or address (another person's data). As a referred prospect who later became a contact: the
referral about them, made by someone else, keeps its company and status for the referrer's
bonus and the metrics, but their name, address, title and the notes are blanked.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import F, Value
from django.db.models.functions import Cast, Concat

from advocacy.customers.holdings import Holding, register
from advocacy.customers.models import Contact
from advocacy.referrals.models import Referral, ReferralEvent

FIELDS = ("id", "prospect_company", "status", "deal_cents", "via", "submitted_at", "closed_at")


def _value(value: Any) -> Any:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


def export_referrals(contact: Contact) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"type": "referral_made", **dict(zip(FIELDS, map(_value, row), strict=True))}
        for row in Referral.objects.filter(advocate=contact).values_list(*FIELDS)
    ]
    rows += [
        {
            "type": "referred",
            "prospect_name": name,
            "prospect_email": email,
            "prospect_company": company,
            "prospect_title": title,
            "submitted_at": _value(at),
        }
        for name, email, company, title, at in Referral.objects.filter(
            prospect_email=contact.email
        ).values_list(
            "prospect_name", "prospect_email", "prospect_company", "prospect_title", "submitted_at"
        )
    ]
    return rows


def _count(contact: Contact) -> int:
    return (
        Referral.objects.filter(advocate=contact).count()
        + Referral.objects.filter(prospect_email=contact.email).count()
    )


def _erase(contact: Contact, now: datetime) -> dict[str, int]:
    """Blank the person as a prospect (their referrals as a referrer go with the contact)."""
    about = Referral.objects.filter(prospect_email=contact.email).exclude(advocate=contact)
    events = ReferralEvent.objects.filter(referral__in=about.values("pk")).update(note="")
    n = about.update(
        prospect_name="(erased)",
        prospect_email=Concat(
            Value("erased-"), Cast(F("pk"), output_field=Referral._meta.get_field("prospect_email"))
        ),
        prospect_title="",
        note="",
        updated_at=now,
    )
    return {"referrals.Referral": n, "referrals.ReferralEvent": events} if n else {}


def register_holdings() -> None:
    register(
        Holding(
            key="referrals",
            label="Referrals",
            export=export_referrals,
            count=_count,
            erase=_erase,
        )
    )
