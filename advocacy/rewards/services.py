"""Write to the ledger, redeem, review, fulfil, budget and process a quarter.

Every function takes `actor` and `now`, never commits (the caller's request or command does),
and refuses bad input with a RewardError that says why, before anything is written: the ledger
is unchanged by a refusal. Balances are sums in SQL; a contact's row is locked while its balance
is checked and debited, so two redemptions cannot spend the same money.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, Lower

from advocacy.customers.models import Contact
from advocacy.pipeline.models import Ask, AskStatus
from advocacy.rewards.hooks import credited
from advocacy.rewards.models import (
    REDEMPTION_MOVES,
    Budget,
    Entry,
    EntryKind,
    Redemption,
    RedemptionStatus,
    RewardType,
)
from advocacy.rewards.policy import TierPolicy, active_policy, charities
from advocacy.rewards.tiers import annotate_tiers, instant_before, quarter_bounds, quarter_of

R = RedemptionStatus


class RewardError(ValueError):
    """Refused, with the reason; nothing was written."""


def dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}${whole:,}" + (f".{part:02d}" if part else "")


def balance(contact: Contact, as_of: datetime) -> int:
    """The contact's balance in cents as of a moment: the sum of its entries."""
    total = Entry.objects.filter(contact=contact, at__lte=as_of).aggregate(
        s=Coalesce(Sum("amount_cents"), 0)
    )["s"]
    return int(total)


def balances(contact_ids: list[int], as_of: datetime) -> dict[int, int]:
    """{contact id: balance in cents}, one grouped query; contacts with no entries are 0."""
    rows = (
        Entry.objects.filter(contact_id__in=contact_ids, at__lte=as_of)
        .order_by()
        .values_list("contact_id")
        .annotate(s=Sum("amount_cents"))
    )
    found = dict(rows)
    return {c: int(found.get(c, 0)) for c in contact_ids}


def _lock(contact: Contact) -> None:
    Contact.objects.select_for_update().filter(pk=contact.pk).values_list("pk").first()


def _positive(cents: int) -> None:
    if cents <= 0:
        raise RewardError(f"the amount must be more than $0, found {dollars(cents)}")


@transaction.atomic
def credit(
    contact: Contact,
    cents: int,
    reason: str,
    *,
    actor: Any,
    now: datetime,
    ask: Ask | None = None,
    reward_type: str = "",
) -> Entry:
    """Credit a reward by hand, for an activity (an ask) of this contact's or a stated reason."""
    _positive(cents)
    if not reason.strip():
        raise RewardError("a credit needs a reason")
    if reward_type and reward_type not in RewardType.values:
        raise RewardError(f"unknown reward type {reward_type!r}")
    if ask is not None:
        if ask.contact_id != contact.pk:
            raise RewardError(f"ask {ask.pk} is not {contact.email}'s activity")
        if ask.status == AskStatus.CANCELLED:
            raise RewardError(f"ask {ask.pk} was cancelled: a cancelled activity earns no reward")
        if ask.status not in (AskStatus.COMPLETED, AskStatus.PUBLISHED):
            raise RewardError(
                f"ask {ask.pk} is {ask.get_status_display().lower()}: "
                "only a completed activity earns a reward"
            )
    entry = Entry.objects.create(
        contact=contact,
        kind=EntryKind.CREDIT,
        amount_cents=cents,
        reason=reason.strip(),
        ask=ask,
        reward_type=reward_type,
        quarter=quarter_of(now),
        actor=actor,
        at=now,
    )
    credited(Entry.objects.filter(pk=entry.pk), now=now)
    return entry


def reverse(entry: Entry, reason: str, *, actor: Any, now: datetime) -> Entry:
    """Write the reversal of an entry (never a deletion); a credit already spent is refused."""
    if not reason.strip():
        raise RewardError("a reversal needs a reason")
    with transaction.atomic():
        _lock(entry.contact)
        if entry.kind == EntryKind.REVERSAL:
            raise RewardError(f"entry {entry.pk} is itself a reversal")
        if Entry.objects.filter(reverses=entry).exists():
            raise RewardError(f"entry {entry.pk} is already reversed")
        if entry.redemption_id is not None:
            raise RewardError(f"entry {entry.pk} pays a redemption: refuse the redemption instead")
        after = balance(entry.contact, now) - entry.amount_cents
        if after < 0:
            raise RewardError(
                f"reversing {dollars(entry.amount_cents)} would leave {dollars(after)}: "
                "the credit has been spent"
            )
        return Entry.objects.create(
            contact=entry.contact,
            kind=EntryKind.REVERSAL,
            amount_cents=-entry.amount_cents,
            reason=reason.strip(),
            ask_id=entry.ask_id,
            referral_id=entry.referral_id,
            reverses=entry,
            reward_type=entry.reward_type,
            quarter=quarter_of(now),
            actor=actor,
            at=now,
        )


def _unusual(contact: Contact, cents: int, quarter: str) -> list[str]:
    """Why a redemption should wait for a person to look at it (empty: it need not)."""
    why = []
    if cents >= settings.REWARDS_REVIEW_DOLLARS * 100:
        why.append(f"{dollars(cents)} is a large redemption")
    if contact.first_name.strip() and contact.last_name.strip():
        same = (
            Contact.objects.annotate(f=Lower("first_name"), la=Lower("last_name"))
            .filter(f=contact.first_name.strip().lower(), la=contact.last_name.strip().lower())
            .filter(Q(reward_entries__isnull=False) | Q(pk=contact.pk))
            .aggregate(n=Count("account", distinct=True))["n"]
        )
        if same >= settings.REWARDS_REVIEW_ACCOUNTS:
            why.append(
                f"one person ({contact.first_name} {contact.last_name}) earns in {same} accounts"
            )
    budget = Budget.objects.filter(quarter=quarter).values_list("amount_cents", flat=True).first()
    if budget is not None and committed(quarter) + cents > budget:
        why.append(f"it would take the quarter past its budget of {dollars(budget)}")
    return why


def committed(quarter: str) -> int:
    total = (
        Redemption.objects.committed()
        .filter(quarter=quarter)
        .aggregate(s=Coalesce(Sum("amount_cents"), 0))["s"]
    )
    return int(total)


def redeem(
    contact: Contact,
    cents: int,
    reward_type: str,
    *,
    actor: Any,
    now: datetime,
    charity: str = "",
) -> Redemption:
    """Turn part of a balance into a reward of the advocate's choosing (held if unusual)."""
    _positive(cents)
    if reward_type not in RewardType.values:
        raise RewardError(
            f"unknown reward type {reward_type!r} (one of: {', '.join(RewardType.values)})"
        )
    if reward_type == RewardType.DONATION:
        codes = {c.code: c for c in charities()}
        if charity not in codes:
            raise RewardError(
                f"a donation goes to a 501(c)(3) charity from the list ({', '.join(codes)}); "
                f"found {charity or 'none'!r}"
            )
    elif charity:
        raise RewardError("a charity is chosen only for a donation")
    quarter = quarter_of(now)
    with transaction.atomic():
        _lock(contact)
        have = balance(contact, now)
        if cents > have:
            raise RewardError(
                f"{dollars(cents)} is more than {contact.email}'s balance of {dollars(have)}"
            )
        why = _unusual(contact, cents, quarter)
        redemption = Redemption.objects.create(
            contact=contact,
            reward_type=reward_type,
            charity=charity,
            amount_cents=cents,
            status=R.HELD if why else R.REQUESTED,
            held_reason="; ".join(why)[:300],
            quarter=quarter,
            requested_at=now,
            requested_by=actor,
        )
        Entry.objects.create(
            contact=contact,
            kind=EntryKind.DEBIT,
            amount_cents=-cents,
            reason=f"Redeemed: {RewardType(reward_type).label}",
            redemption=redemption,
            reward_type=reward_type,
            quarter=quarter,
            actor=actor,
            at=now,
        )
    return redemption


def _move(redemption: Redemption, to: str) -> None:
    if to not in REDEMPTION_MOVES[redemption.status]:
        raise RewardError(
            f"redemption {redemption.pk} is {redemption.get_status_display().lower()}: "
            f"it cannot become {R(to).label.lower()}"
        )


def release(redemption: Redemption, *, actor: Any, now: datetime) -> Redemption:
    """A reviewer lets a held redemption go on to fulfilment."""
    _move(redemption, R.REQUESTED)
    changed = Redemption.objects.filter(pk=redemption.pk, status=R.HELD).update(
        status=R.REQUESTED, decided_at=now, decided_by=actor
    )
    if changed != 1:
        raise RewardError(f"redemption {redemption.pk} was moved by someone else")
    redemption.refresh_from_db()
    return redemption


def refuse(redemption: Redemption, reason: str, *, actor: Any, now: datetime) -> Redemption:
    """Refuse a held or waiting redemption: its debit is reversed, the balance restored."""
    _move(redemption, R.REFUSED)
    if not reason.strip():
        raise RewardError("a refusal needs a reason")
    with transaction.atomic():
        changed = Redemption.objects.filter(
            pk=redemption.pk, status__in=[R.HELD, R.REQUESTED]
        ).update(status=R.REFUSED, decided_at=now, decided_by=actor, held_reason=reason[:300])
        if changed != 1:
            raise RewardError(f"redemption {redemption.pk} was moved by someone else")
        debit = Entry.objects.get(redemption=redemption, kind=EntryKind.DEBIT)
        Entry.objects.create(
            contact_id=redemption.contact_id,
            kind=EntryKind.REVERSAL,
            amount_cents=-debit.amount_cents,
            reason=f"Redemption refused: {reason.strip()}"[:300],
            reverses=debit,
            reward_type=debit.reward_type,
            quarter=quarter_of(now),
            actor=actor,
            at=now,
        )
    redemption.refresh_from_db()
    return redemption


def fulfil(ids: list[int], delivered: str, *, actor: Any, now: datetime) -> int:
    """Record that these waiting redemptions were delivered, by whom and what: one UPDATE.

    Refused whole when any of them is not waiting for fulfilment (held ones need a review
    first), so a typo cannot half-fulfil a batch."""
    if not delivered.strip():
        raise RewardError("say what was delivered (a gift card number, a receipt, a date)")
    with transaction.atomic():
        found = dict(
            Redemption.objects.select_for_update().filter(pk__in=ids).values_list("pk", "status")
        )
        missing = sorted(set(ids) - set(found))
        if missing:
            raise RewardError(f"no redemption with id {', '.join(map(str, missing))}")
        wrong = sorted(pk for pk, status in found.items() if status != R.REQUESTED)
        if wrong:
            raise RewardError(
                f"not awaiting fulfilment: {', '.join(map(str, wrong))} "
                "(held ones are reviewed first)"
            )
        return Redemption.objects.filter(pk__in=ids, status=R.REQUESTED).update(
            status=R.FULFILLED,
            fulfilled_at=now,
            fulfilled_by=actor,
            delivered=delivered.strip()[:300],
        )


def set_budget(quarter: str, cents: int, *, actor: Any, now: datetime) -> Budget:
    quarter_bounds(quarter)  # refuses a malformed quarter
    if cents < 0:
        raise RewardError("a budget cannot be negative")
    budget, _ = Budget.objects.update_or_create(
        quarter=quarter, defaults={"amount_cents": cents, "set_by": actor, "set_at": now}
    )
    return budget


@dataclass(frozen=True)
class Spend:
    quarter: str
    budget_cents: int | None
    committed_cents: int  # requested, held or fulfilled
    fulfilled_cents: int
    held: int
    waiting: int

    @property
    def remaining_cents(self) -> int | None:
        return None if self.budget_cents is None else self.budget_cents - self.committed_cents


def spend(quarter: str) -> Spend:
    """Spend against the quarter's budget: one aggregate over its redemptions."""
    quarter_bounds(quarter)
    agg = Redemption.objects.filter(quarter=quarter).aggregate(
        committed=Coalesce(Sum("amount_cents", filter=~Q(status=R.REFUSED)), 0),
        fulfilled=Coalesce(Sum("amount_cents", filter=Q(status=R.FULFILLED)), 0),
        held=Count("id", filter=Q(status=R.HELD)),
        waiting=Count("id", filter=Q(status=R.REQUESTED)),
    )
    budget = Budget.objects.filter(quarter=quarter).values_list("amount_cents", flat=True).first()
    return Spend(
        quarter, budget, int(agg["committed"]), int(agg["fulfilled"]), agg["held"], agg["waiting"]
    )


@dataclass(frozen=True)
class Processed:
    quarter: str
    credited: int  # entries written by this run (a second run writes none)
    waiting: int  # redemptions awaiting fulfilment


def process_quarter(
    quarter: str, *, actor: Any, now: datetime, policy: TierPolicy | None = None
) -> Processed:
    """Credit each tier's per-quarter rewards (and per-year ones, in the last quarter) to every
    advocate in the tier at the quarter's end: one query per reward, one insert each; the
    unique keys make a second run credit nothing."""
    policy = policy or active_policy()
    _, end = quarter_bounds(quarter)
    if now < end:
        raise RewardError(f"{quarter} is not over yet: it is processed once it ends")
    at = instant_before(end)
    pers = ["quarter", "year"] if quarter.endswith("Q4") else ["quarter"]
    written = 0
    with transaction.atomic():
        for per in pers:
            for tier, n, reward in policy.rewards_up_to(len(policy.tiers), per):
                ids = annotate_tiers(Contact.objects.all(), policy, at).filter(
                    tier_level__gte=tier.level
                )
                key = f"{per}:{quarter if per == 'quarter' else quarter[:4]}:{tier.code}:{n}"
                entries = [
                    Entry(
                        contact_id=pk,
                        kind=EntryKind.CREDIT,
                        amount_cents=reward.amount_cents,
                        reason=reward.text or f"{tier.name}: a reward per {per}",
                        reward_type=reward.reward_type,
                        key=f"{key}:{pk}",
                        quarter=quarter,
                        actor=actor,
                        at=now,
                    )
                    for pk in ids.values_list("pk", flat=True).iterator(chunk_size=5_000)
                ]
                before = Entry.objects.filter(key__startswith=f"{key}:").count()
                Entry.objects.bulk_create(entries, ignore_conflicts=True, batch_size=5_000)
                written += Entry.objects.filter(key__startswith=f"{key}:").count() - before
                credited(Entry.objects.filter(key__startswith=f"{key}:", at=now), now=now)
    waiting = Redemption.objects.filter(status=R.REQUESTED).count()
    return Processed(quarter, written, waiting)
