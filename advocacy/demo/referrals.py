"""A few referrals for the demo, in every status, so a newcomer sees referrals and their
bonuses at work (and the referral-sourced pipeline and revenue on the dashboard)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from advocacy.customers.models import Contact
from advocacy.referrals.models import ReferralStatus, Via
from advocacy.referrals.services import Prospect, ReferralError, codes_for, move, submit

S = ReferralStatus
# (person, company, the statuses it moves through, the deal in dollars)
REFERRED = (
    ("Maya Lindqvist", "Northwind Traders", (), None),
    ("Tom Okafor", "Globex", (S.MEETING_BOOKED,), None),
    ("Lena Park", "Initrode", (S.MEETING_BOOKED, S.QUALIFIED), 60_000),
    ("Ravi Menon", "Soylent", (S.MEETING_BOOKED, S.QUALIFIED, S.CLOSED_WON), 45_000),
    ("Ines Duarte", "Stark Logistics", (S.MEETING_BOOKED, S.QUALIFIED, S.CLOSED_WON), 180_000),
    ("Omar Haddad", "Vandelay Imports", (S.MEETING_BOOKED, S.CLOSED_LOST), None),
    ("Julia Becker", "Wonka Foods", (S.CLOSED_LOST,), None),
)


def seed_referrals(*, user: Any, now: datetime) -> dict[str, int]:
    """Give the first advocates their codes and refer one peer each, moved over the last weeks
    through the services (so the bonuses are credited as they would be). Kept on a rerun: a
    prospect referred before is refused and skipped."""
    advocates = list(Contact.objects.reachable().order_by("pk")[: len(REFERRED)])
    codes_for([c.pk for c in advocates], now=now)
    made = moved = 0
    for i, (contact, (name, company, steps, deal)) in enumerate(
        zip(advocates, REFERRED, strict=False)
    ):
        slug = company.lower().replace(" ", "-")
        start = now - timedelta(days=40 - 3 * i)
        prospect = Prospect(
            name=name,
            email=f"{name.split()[0].lower()}@{slug}.example",
            company=company,
            title="Head of Operations",
        )
        try:
            referral = submit(
                contact, prospect, via=Via.PORTAL if i % 2 else Via.FORM, actor=None, now=start
            )
        except ReferralError:
            continue
        made += 1
        for n, status in enumerate(steps, start=1):
            deal_cents = deal * 100 if deal is not None and status == S.QUALIFIED else None
            referral = move(
                referral,
                status,
                deal_cents=deal_cents,
                actor=user,
                now=start + timedelta(days=6 * n),
            )
            moved += 1
    return {"referrals": made, "moves": moved}
