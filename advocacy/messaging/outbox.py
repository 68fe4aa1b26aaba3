"""Write outbox rows in the transaction of what causes them; queue the reminders that are due.

    on_asks_entered(ids, status, now, opened)   # the pipeline's hook (advocacy.pipeline.hooks)
    on_assets_entered(ids, status, now)         # content's hook (advocacy.content.hooks)
    on_call_invited(call, now)                  # the reference desk's (advocacy.references.hooks)
    on_tiers_rose(rises, now)                   # rewards' (advocacy.rewards.hooks)
    queue_reminders(now) -> int                 # asks sent by email with no answer by follow-up
    queue_steps(now) -> int                     # the later steps of asks' channel sequences
    queue_notices(now) -> int                   # team notices to email to their recipient
    note_follow_ups(now) -> int                 # the owner told an ask's follow-up date came
    queue_test(ask, to, *, actor, now)          # "send a test to me"
    send_again(messages, *, now) -> int         # failed ones queued again by hand

Which asks are emailed: those whose channel is email, and manual asks (no channel: email is the
default). An ask that enters queued gets its ask email; one opened already sent with an email
channel (the reference desk's offer) its invitation; one that completes its thank-you, whatever
its channel; a draft of content sent to its advocate for review, the approval request. Each
(ask, kind, step) once: a unique constraint holds it, so a hook run twice, a retry of the
transaction or a race writes one row (approval requests: one per round of review).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, Exists, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce

from advocacy.content.models import Asset, AssetStatus
from advocacy.messaging.models import Channel, Message, MessageKind, MessageStatus, Reason
from advocacy.people.models import BY_EMAIL
from advocacy.pipeline.models import Ask, AskStatus
from advocacy.pipeline.notices import Notice, NoticeKind
from advocacy.pipeline.team_notices import tell_owners
from advocacy.references.models import Offer, ReferenceCall
from advocacy.rewards.hooks import TierRise

K, S = MessageKind, MessageStatus
EMAIL_CHANNELS = ("", "email")
CHUNK = 5_000
# A notice not emailed within this long (the worker was down) stays on the work queue only.
NOTICE_WINDOW = timedelta(days=7)


def new_message_id() -> str:
    """A Message-ID header value, unique in the world: random, at the sender's domain."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def queued(kind: str, now: datetime, **fields: Any) -> Message:
    """A new message of `kind`, due at once, with its own Message-ID (not saved)."""
    return Message(kind=kind, message_id=new_message_id(), created_at=now, due_at=now, **fields)


def _kind_for(status: str, opened: bool) -> tuple[str, tuple[str, ...] | None] | None:
    """The kind of message an ask entering `status` causes, and the channels it needs."""
    if status == AskStatus.QUEUED:
        return K.ASK, EMAIL_CHANNELS
    if status == AskStatus.SENT and opened:
        return K.INVITE, ("email",)
    if status == AskStatus.COMPLETED:
        return K.THANKS, None
    return None


def on_asks_entered(ask_ids: Sequence[int], status: str, now: datetime, opened: bool) -> None:
    """Write the message each of these asks now needs: one read and one insert per chunk."""
    wanted = _kind_for(status, opened)
    if wanted is None:
        return
    kind, channels = wanted
    ids = sorted(set(ask_ids))
    for start in range(0, len(ids), CHUNK):
        asks = Ask.objects.filter(pk__in=ids[start : start + CHUNK])
        if channels is not None:
            asks = asks.filter(channel__in=channels)
        rows = asks.order_by().values_list("pk", "contact_id")
        _write(kind, rows, now)


def on_assets_entered(asset_ids: Sequence[int], status: str, now: datetime) -> None:
    """Content's hook: a draft sent to its advocate for review asks them to approve it (every
    round of review its own email: an asset sent back for edits comes again)."""
    if status != AssetStatus.ADVOCATE_REVIEW:
        return
    rows = Asset.objects.filter(pk__in=list(asset_ids)).values_list("pk", "contact_id", "ask_id")
    Message.objects.bulk_create(
        [
            queued(
                K.APPROVAL,
                now,
                asset_id=pk,
                ask_id=ask_id,
                contact_id=contact_id,
            )
            for pk, contact_id, ask_id in rows
        ]
    )


def on_call_invited(call: ReferenceCall, now: datetime) -> None:
    """The reference desk's hook: the call's calendar invite (this revision) to the advocate,
    to each seller who asked for it and to each prospect contact on its requests. One row per
    recipient and revision: the hook run twice writes each once. Three reads, one insert."""
    ask_id = (
        Offer.objects.filter(request__calls=call, contact_id=call.contact_id)
        .order_by("pk")
        .values_list("ask_id", flat=True)
        .first()
    )
    advocate = call.contact.email.strip().lower()
    others: list[str] = []
    for seller, prospects in call.requests.order_by("pk").values_list(
        "requested_by__email", "prospect_contacts"
    ):
        others += [seller or "", *(prospects or [])]
    seen = {advocate, ""}
    addresses = []
    for email in (e.strip() for e in others):
        if email.lower() not in seen:
            seen.add(email.lower())
            addresses.append(email)
    Message.objects.bulk_create(
        [
            queued(
                K.CALENDAR,
                now,
                call=call,
                call_sequence=call.sequence,
                ask_id=ask_id,
                contact_id=call.contact_id,
                to_email=to,
            )
            for to in ["", *addresses]
        ],
        ignore_conflicts=True,
    )


def on_tiers_rose(rises: Sequence[TierRise], now: datetime) -> None:
    """Rewards' hook: congratulate each advocate who rose a tier, tied to the activity that
    lifted them; the step is the level reached, so each (activity, level) is written once."""
    by_level: dict[int, list[tuple[int, int]]] = {}
    for rise in rises:
        by_level.setdefault(rise.to_level, []).append((rise.ask_id, rise.contact_id))
    for level, rows in sorted(by_level.items()):
        _write(K.TIER, rows, now, step=level)


def _write(
    kind: str,
    rows: Iterable[tuple[int, int]],
    now: datetime,
    *,
    step: int = 0,
    channel: str = Channel.EMAIL,
) -> int:
    messages = [
        queued(
            kind,
            now,
            channel=channel,
            step=step,
            ask_id=ask_id,
            contact_id=contact_id,
        )
        for ask_id, contact_id in rows
    ]
    # A second row for the same (ask, kind) is dropped by the unique constraint.
    Message.objects.bulk_create(messages, ignore_conflicts=True)
    return len(messages)


def queue_reminders(now: datetime, *, limit: int = 10_000) -> int:
    """Queue a reminder for each ask whose first email went out, with no answer by its
    follow-up date (the play's "reminder after N days"): one read, then one insert only if
    there is something to write (no write lock otherwise)."""
    first_sent = Message.objects.filter(
        ask=OuterRef("pk"), kind__in=[K.ASK, K.INVITE], status=S.SENT
    )
    reminded = Message.objects.filter(ask=OuterRef("pk"), kind=K.REMINDER)
    due = (
        Ask.objects.needs_follow_up(now)
        .filter(paused_at__isnull=True, channel__in=EMAIL_CHANNELS)
        .filter(Exists(first_sent))
        .exclude(Exists(reminded))
        .order_by("follow_up_at")
        .values_list("pk", "contact_id")[:limit]
    )
    rows = list(due)
    if not rows:
        return 0
    return _write(K.REMINDER, rows, now)


# What a later step of a sequence sends: an email step is a reminder email, an in_app step an
# in-product reminder. Other channels (a CSM's own outreach) are people's work, not the outbox's.
STEP_KINDS = {"email": (K.REMINDER, Channel.EMAIL), "in_app": (K.NUDGE, Channel.IN_APP)}


def first_out() -> Coalesce:
    """When the ask's first email went out; for an ask sent another way, when it was sent."""
    first = (
        Message.objects.filter(ask=OuterRef("pk"), kind__in=[K.ASK, K.INVITE], status=S.SENT)
        .order_by()
        .values("ask")
        .annotate(at=Min("sent_at"))
        .values("at")[:1]
    )
    return Coalesce(Subquery(first, output_field=DateTimeField()), "sent_at")


def queue_steps(now: datetime, *, limit: int = 10_000) -> int:
    """Queue each later step of the asks' channel sequences that fell due: its hours after the
    first email went out, the ask still sent (no answer) and not paused. Once per ask and step
    (the unique constraint). One read of the distinct sequences (one per play), then one read
    per step and one insert only where there is something to write."""
    waiting = Ask.objects.filter(status=AskStatus.SENT, paused_at__isnull=True).exclude(sequence=[])
    sequences = list(waiting.order_by().values_list("sequence", flat=True).distinct())
    written = 0
    for sequence in sequences:
        for step, entry in enumerate(sequence):
            wanted = STEP_KINDS.get(str(entry.get("channel", "")))
            if step == 0 or wanted is None:
                continue
            kind, channel = wanted
            hours = timedelta(hours=float(entry.get("after_hours", 0)))
            done = Message.objects.filter(ask=OuterRef("pk"), kind=kind, step=step)
            rows = list(
                waiting.filter(sequence=sequence)
                .annotate(first_out=first_out())
                .filter(first_out__lte=now - hours)
                .exclude(Exists(done))
                .order_by("pk")
                .values_list("pk", "contact_id")[:limit]
            )
            if rows:
                written += _write(kind, rows, now, step=step, channel=channel)
    return written


def queue_notices(now: datetime, *, limit: int = 10_000) -> int:
    """Queue an email for each undelivered notice of the last NOTICE_WINDOW whose recipient
    wants them by email (`notify_by` email or both, active, with an address), and for those of
    a role's pool when the team has an address (ADVOCACY_TEAM_EMAIL): one read each, one
    insert only if there is something to write. The notice is stamped delivered when its
    email is sent (`record`), so a crash in between leaves it to go, not lost."""
    fresh = (
        Notice.objects.undelivered()
        .filter(at__gte=now - NOTICE_WINDOW, at__lte=now)
        .exclude(Exists(Message.objects.filter(notice=OuterRef("pk"))))
        .order_by("at", "pk")
    )
    fields = ("pk", "contact_id")
    rows = [
        (pk, contact_id, email)
        for pk, contact_id, email in fresh.filter(
            recipient__is_active=True, recipient__notify_by__in=BY_EMAIL
        )
        .exclude(recipient__email="")
        .values_list(*fields, "recipient__email")[:limit]
    ]
    team = settings.TEAM_EMAIL
    if team:
        pool = fresh.filter(recipient__isnull=True).values_list(*fields)[:limit]
        rows += [(pk, contact_id, team) for pk, contact_id in pool]
    if not rows:
        return 0
    Message.objects.bulk_create(
        [
            queued(
                K.NOTICE,
                now,
                notice_id=pk,
                contact_id=contact_id,
                to_email=email,
            )
            for pk, contact_id, email in rows
        ],
        ignore_conflicts=True,  # a notice queued by another worker meanwhile: one row
    )
    return len(rows)


def note_follow_ups(now: datetime, *, limit: int = 10_000) -> int:
    """Tell the owner of each sent ask whose follow-up date came with no answer (seed 000:
    "follow up in 5 days"), once per ask: a notice, on their queue and by email or Slack as
    they chose. One read; one read and one insert only if there is something to write."""
    told = Notice.objects.filter(ask=OuterRef("pk"), kind=NoticeKind.FOLLOW_UP_DUE)
    ids = list(
        Ask.objects.needs_follow_up(now)
        .filter(paused_at__isnull=True)
        .exclude(Exists(told))
        .order_by("follow_up_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    with transaction.atomic():
        return tell_owners(
            ids,
            NoticeKind.FOLLOW_UP_DUE,
            now=now,
            key=lambda r: f"follow_up_due:{r['pk']}",
            phrase=lambda r: (
                f"follow up with {r['who']} on the {r['ask_type']}: no answer since it went out"
            ),
        )


def queue_test(ask: Ask, to: str, *, actor: Any, now: datetime) -> Message:
    """A copy of the ask's email, to `to` (the team member asking), due at once."""
    message = queued(
        K.TEST,
        now,
        ask=ask,
        contact_id=ask.contact_id,
        to_email=to,
        requested_by=actor if getattr(actor, "pk", None) else None,
    )
    message.save(force_insert=True)
    return message


@transaction.atomic
def send_again(messages: Any, *, now: datetime) -> int:
    """Queue failed messages again, their attempts counted afresh; returns how many."""
    return messages.filter(status=S.FAILED).update(
        status=S.QUEUED, due_at=now, attempts=0, reason_code="", reason="", lease_until=None
    )


def hold_label(code: str) -> str:
    return Reason(code).label if code in Reason.values else code
