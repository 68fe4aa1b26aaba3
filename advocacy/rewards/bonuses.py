"""Credit referral bonuses into the ledger as referrals reach meeting booked and closed won.

Registered as a referrals hook (advocacy.referrals.hooks): it runs in the transaction of the
move, so the bonus and the move commit together or not at all. The amounts are the referral
bonus policy (advocacy.referrals.policy; the enterprise bonus replaces closed won's). Each
bonus has a unique key (the referral and the event): a referral that moves back and reaches
meeting booked again is not paid twice. Moving back, or to closed lost, reverses nothing by
itself: whoever may credit by hand reverses a bonus (`reverse`), which keeps the entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from advocacy.referrals.hooks import Moved
from advocacy.referrals.models import ReferralStatus
from advocacy.referrals.policy import active
from advocacy.rewards.hooks import credited
from advocacy.rewards.models import Entry, EntryKind
from advocacy.rewards.tiers import quarter_of

S = ReferralStatus
EARNS: dict[str, str] = {
    S.MEETING_BOOKED: "Referral bonus: meeting booked",
    S.CLOSED_WON: "Referral bonus",
}


def bonus_key(referral_id: int, event: str) -> str:
    return f"referral:{referral_id}:{event}"


def on_referrals_moved(moves: Sequence[Moved], actor: Any, now: datetime) -> None:
    earning = [m for m in moves if m.to_status in EARNS]
    if not earning:
        return
    policy = active()
    entries = []
    for m in earning:
        cents = policy.bonus_cents(m.to_status, m.deal_cents)
        if cents <= 0:
            continue
        reason = EARNS[m.to_status]
        if m.to_status == S.CLOSED_WON:
            enterprise = m.deal_cents is not None and m.deal_cents >= policy.enterprise_min_cents
            reason += ": enterprise deal closed" if enterprise else ": deal closed"
        entries.append(
            Entry(
                contact_id=m.advocate_id,
                kind=EntryKind.CREDIT,
                amount_cents=cents,
                reason=reason,
                referral_id=m.referral_id,
                key=bonus_key(m.referral_id, m.to_status),
                quarter=quarter_of(now),
                actor=actor,
                at=now,
            )
        )
    Entry.objects.bulk_create(entries, ignore_conflicts=True)
    if entries:
        credited(Entry.objects.filter(key__in=[e.key for e in entries], at=now), now=now)
