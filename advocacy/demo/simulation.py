"""Simulate two years of signals for one account from its monthly happiness path.

What correlates with happiness (h, 0..1, per month):
- health score: monthly, about 100 * h;
- NPS: every six months each reachable contact may answer, about 1 + 10 * (h + own offset);
- tickets: Poisson per month, rate grows with (1 - h)^2 and the account's size; each opened
  ticket closes hours to days later (slower when unhappy), sometimes followed by a CSAT answer;
- activity and usage milestones: engaged people are active more often when happy;
- renewal on each contract anniversary, likelier when happy; expansions only when happy;
- results shared, CSM nominations, reviews, references and referrals for the happiest.

With a quota (an exact number of signals for this account), the simulated events are trimmed
(activity first, a ticket's opened/closed/CSAT together) or padded with activity.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from advocacy.customers.models import Persona, SizeBand
from advocacy.demo import vocab
from advocacy.demo.generator import (
    MONTH,
    MONTHS,
    AccountSpec,
    ContactSpec,
    DemoProgram,
    add_years,
    clamp,
)
from advocacy.signals.models import SignalKind as K

SIZE_FACTOR = {
    SizeBand.SMB: 0.6,
    SizeBand.MID_MARKET: 1.0,
    SizeBand.ENTERPRISE: 1.6,
    SizeBand.STRATEGIC: 2.2,
}


@dataclass(slots=True)
class SignalRow:
    key: str
    kind: str
    occurred_at: datetime
    account: AccountSpec
    contact: ContactSpec | None
    value: float | None
    text: str
    payload: dict[str, Any]


# occurred_at, kind, contact, value, text, payload, keep-priority
Event = tuple[datetime, str, ContactSpec | None, float | None, str, dict[str, Any], float]


def iter_signals(program: DemoProgram) -> Iterator[SignalRow]:
    """Stream every signal, account by account, each account's in time order.

    Keys are `demo:<n>`, numbered in this order, so they are the same on every run.
    """
    number = 0
    quotas = program.signal_quotas
    for account in program.accounts:
        quota = None if quotas is None else quotas[account.index]
        contacts = program.account_contacts(account)
        for at, kind, contact, value, text, payload in simulate_account(
            program, account, contacts, quota
        ):
            number += 1
            yield SignalRow(f"demo:{number}", kind, at, account, contact, value, text, payload)


def poisson(rng: random.Random, rate: float) -> int:
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _present(contact: ContactSpec, moment: datetime) -> bool:
    left, opted = contact.left_company_at, contact.opted_out_at
    return (left is None or left > moment) and (opted is None or opted > moment)


def simulate_account(
    program: DemoProgram,
    account: AccountSpec,
    contacts: list[ContactSpec],
    quota: int | None = None,
) -> list[tuple[datetime, str, ContactSpec | None, float | None, str, dict[str, Any]]]:
    """Return the account's signals in time order (exactly `quota` of them when given)."""
    rng = program.rng("signals", account.index)
    path = program.mood_path(account)
    now, start = program.now, program.window_start
    since = datetime.combine(account.customer_since, datetime.min.time(), UTC)
    size = SIZE_FACTOR[SizeBand(account.size_band)]
    events: list[Event] = []
    tickets = 0

    def add(
        at: datetime,
        kind: str,
        contact: ContactSpec | None,
        value: float | None = None,
        text: str = "",
        payload: dict[str, Any] | None = None,
        keep: float | None = None,
    ) -> None:
        if keep is None:
            keep = rng.random() + (0.0 if kind == K.ACTIVITY else 1.0)
        events.append((at, kind, contact, value, text, payload or {}, keep))

    renewals = _anniversaries(account, start, now)
    nps_phase = rng.randrange(6)
    milestone = 0
    for m in range(MONTHS):
        month_start, month_end = start + m * MONTH, start + (m + 1) * MONTH
        if month_end <= since:
            continue
        low = max(month_start, since)
        span = (month_end - low).total_seconds()
        h = path[m]
        present = [c for c in contacts if _present(c, month_end)]
        engaged = [c for c in present if c.persona in vocab.ENGAGED_PERSONAS]
        voices = [c for c in present if c.persona in vocab.VOICE_PERSONAS] or present

        def moment(low: datetime = low, span: float = span) -> datetime:
            return low + timedelta(seconds=int(rng.random() * span))

        health = round(clamp(100 * h + rng.gauss(0, 5), 0, 100))
        add(low + timedelta(hours=rng.randrange(36)), K.HEALTH_SCORE, None, float(health))

        if m % 6 == nps_phase:
            for contact in present:
                if rng.random() < 0.35 + 0.25 * h:
                    score = int(
                        clamp(round(1 + 10 * (h + contact.offset) + rng.gauss(0, 1)), 0, 10)
                    )
                    group = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
                    comment = rng.choice(vocab.NPS_COMMENTS[group]) if rng.random() < 0.3 else ""
                    add(moment(), K.NPS, contact, float(score), comment, {"survey": f"{m // 6}"})

        for _ in range(poisson(rng, size * (0.25 + 3.0 * (1 - h) ** 2))):
            tickets += 1
            opened = moment()
            opener = rng.choice(present) if present else None
            ticket = f"T-{account.index + 1}-{tickets}"
            priority = "high" if rng.random() < 0.15 + 0.3 * (1 - h) else "normal"
            keep = rng.random() + 1.0  # opened, closed and CSAT stay or go together
            subject = rng.choice(vocab.TICKET_SUBJECTS)
            details = {"ticket": ticket, "priority": priority}
            add(opened, K.TICKET_OPENED, opener, None, subject, details, keep)
            closed = opened + timedelta(
                seconds=int(3600 * rng.expovariate(1 / (24 * (1.5 + 9 * (1 - h)))))
            )
            if closed < now:
                add(closed, K.TICKET_CLOSED, opener, None, "", {"ticket": ticket}, keep)
                answered = closed + timedelta(seconds=int(3600 * rng.uniform(1, 48)))
                if opener is not None and answered < now and rng.random() < 0.4:
                    csat = float(round(clamp(1 + 4 * h + rng.gauss(0, 0.7), 1, 5)))
                    add(answered, K.CSAT, opener, csat, "", {"ticket": ticket}, keep)

        for contact in present:
            if contact in engaged:
                sessions = poisson(rng, 0.3 + 1.8 * h)
            else:
                sessions = 1 if rng.random() < 0.3 * h else 0
            for _ in range(sessions):
                days = int(clamp(round(22 * h + rng.gauss(0, 3)), 1, 22))
                feature = rng.choice(vocab.FEATURES)
                used = {"feature": feature, "active_days_30d": days}
                add(moment(), K.ACTIVITY, contact, float(days), f"Used {feature}", used)

        if milestone < len(vocab.MILESTONES) and rng.random() < 0.04 + 0.25 * h * h:
            owner = engaged[0] if engaged else None
            name = vocab.MILESTONES[milestone]
            milestone += 1
            add(moment(), K.USAGE_MILESTONE, owner, float(milestone), name, {"milestone": name})

        for renewal in renewals:
            if month_start <= renewal < month_end and rng.random() < 0.2 + 0.85 * h:
                arr = float(account.arr)
                term = {"term_months": 12 * account.term_years}
                add(renewal, K.RENEWAL, None, arr, "", term)

        if h > 0.6 and rng.random() < 0.12 * (h - 0.5) * size:
            product = rng.choice(vocab.PRODUCTS[1:])
            added = round(float(account.arr) * rng.uniform(0.08, 0.35), -2)
            add(moment(), K.EXPANSION, None, added, f"Added {product}", {"product": product})

        if m % 3 == 2 and voices:
            if h > 0.7 and rng.random() < 0.25:
                result = rng.choice(vocab.RESULTS)
                add(moment(), K.RESULT_SHARED, rng.choice(voices), None, result)
            if h > 0.78 and rng.random() < 0.2:
                csm = program.csms[account.owner]
                champion = next((c for c in voices if c.persona == Persona.CHAMPION), voices[0])
                note = f"Nominated by {csm[0]} {csm[1]}"
                add(moment(), K.CSM_NOMINATION, champion, None, note)
            if h > 0.75 and rng.random() < 0.08:
                site = rng.choice(vocab.REVIEW_SITES)
                rating = 5.0 if rng.random() < 0.7 else 4.0
                add(moment(), K.REVIEW_PUBLISHED, rng.choice(voices), rating, "", {"site": site})
            if h > 0.8 and rng.random() < 0.05:
                add(moment(), K.REFERENCE_COMPLETED, rng.choice(voices), None, "Reference call")
            if h > 0.8 and rng.random() < 0.04:
                status = {"status": rng.choice(("meeting_booked", "deal_closed"))}
                add(moment(), K.REFERRAL_STATUS, rng.choice(voices), None, "", status)

    for contact in contacts:
        if contact.opted_out_at is not None and contact.opted_out_at >= max(start, since):
            add(contact.opted_out_at, K.OPT_OUT, contact, None, "", {"channel": "email"})

    if quota is not None:
        events = _fit(rng, events, quota, contacts, max(start, since), now)
    events.sort(key=lambda e: (e[0], e[1]))
    return [e[:6] for e in events]  # type: ignore[misc]


def _fit(
    rng: random.Random,
    events: list[Event],
    quota: int,
    contacts: list[ContactSpec],
    low: datetime,
    high: datetime,
) -> list[Event]:
    """Trim the events to `quota` (lowest priority first) or pad them with activity."""
    if len(events) > quota:
        return heapq.nlargest(quota, events, key=lambda e: e[6])
    span = max((high - low).total_seconds(), 1.0)
    while len(events) < quota:
        at = low + timedelta(seconds=int(rng.random() * span))
        contact = rng.choice(contacts) if contacts else None
        days = rng.randint(1, 22)
        feature = rng.choice(vocab.FEATURES)
        payload = {"feature": feature, "active_days_30d": days}
        events.append((at, K.ACTIVITY, contact, float(days), f"Used {feature}", payload, 0.0))
    return events


def _anniversaries(account: AccountSpec, start: datetime, now: datetime) -> list[datetime]:
    """Contract anniversaries (renewal moments) that fall inside the window."""
    moments = []
    day = add_years(account.customer_since, account.term_years)
    while day < now.date():
        at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=15)
        if start <= at < now:
            moments.append(at)
        day = add_years(day, account.term_years)
    return moments
