"""Credit the per-activity rewards, and tell of tier rises, as activities complete.

Registered as a pipeline hook (advocacy.pipeline.hooks): it runs in the transaction that moves
the asks to completed, so the credit and the move commit together or not at all. Each credit has
a unique key (the ask, the tier, the reward's place in it): the hook run twice credits once.
Two queries for the tiers (without these activities and with them), one read of the asks,
one insert.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from advocacy.pipeline.models import Ask, AskStatus
from advocacy.rewards.hooks import TierRise, credited, tiers_rose
from advocacy.rewards.models import Entry, EntryKind
from advocacy.rewards.policy import active_policy
from advocacy.rewards.tiers import levels, quarter_of


def on_asks_entered(ask_ids: Sequence[int], status: str, now: datetime, opened: bool) -> None:
    if status != AskStatus.COMPLETED:
        return
    rows = list(
        Ask.objects.filter(pk__in=list(ask_ids)).order_by("pk").values_list("pk", "contact_id")
    )
    if not rows:
        return
    policy = active_policy()
    contact_ids = sorted({c for _, c in rows})
    before = levels(contact_ids, policy, now, excluding=[a for a, _ in rows])
    after = levels(contact_ids, policy, now)
    entries = [
        Entry(
            contact_id=contact_id,
            kind=EntryKind.CREDIT,
            amount_cents=reward.amount_cents,
            reason=reward.text or f"{tier.name}: a reward per activity",
            ask_id=ask_id,
            reward_type=reward.reward_type,
            key=f"activity:{ask_id}:{tier.code}:{n}",
            quarter=quarter_of(now),
            at=now,
        )
        for ask_id, contact_id in rows
        for tier, n, reward in policy.rewards_up_to(after.get(contact_id, 0), "activity")
    ]
    Entry.objects.bulk_create(entries, ignore_conflicts=True)
    if entries:
        credited(Entry.objects.filter(key__in=[e.key for e in entries], at=now), now=now)
    first_ask: dict[int, int] = {}
    for ask_id, contact_id in rows:
        first_ask.setdefault(contact_id, ask_id)
    rises = [
        TierRise(ask, c, before.get(c, 0), after[c], policy.name_of(after[c]))
        for c, ask in first_ask.items()
        # Into the first tier (the quarter's first activity) the activity's own thank-you is
        # the message: one email, not two in the same minute. Each rise above it is told.
        if after.get(c, 0) > max(before.get(c, 0), 1)
    ]
    tiers_rose(rises, now=now)
