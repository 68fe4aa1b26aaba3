"""Carry the demo's asks along their lives, so the board, the ask pages and the metrics have
asks in every state, with transitions spread over the weeks as a real program's would be.

Every move goes through `advance_asks` (one UPDATE and one insert of events per batch), at a
moment a few days after the ask was opened, never after `now`. Which asks move is decided by a
hash of the ask's id, so the same data gives the same program.

A team closes the asks that went quiet: once the steps are done, the open asks past their due
date are closed a few days after it (an unanswered ask expires, an accepted one is completed, one
never sent is cancelled), but for the most recently due, kept so that about `OVERDUE_SHARE` of
the open asks are overdue, as on a real board.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from advocacy.pipeline.models import Ask, AskStatus
from advocacy.pipeline.services import advance_asks

S = AskStatus
# Ask types whose result is published (a review on a site, a case study on the website...).
PUBLISHED_TYPES = (
    "review", "testimonial_quote", "video_testimonial", "case_study", "speaker",
    "content_cocreation",
)  # fmt: skip
# (from, to, share of the asks still in `from`, days after opening the move happens, published)
STEPS: tuple[tuple[tuple[str, ...], str, float, int, bool], ...] = (
    ((S.PROPOSED, S.QUEUED), S.SENT, 0.85, 1, False),
    ((S.SENT,), S.ACCEPTED, 0.45, 5, False),
    ((S.SENT,), S.DECLINED, 0.35, 6, False),
    ((S.SENT,), S.EXPIRED, 0.5, 21, False),
    ((S.ACCEPTED,), S.COMPLETED, 0.65, 15, False),
    ((S.COMPLETED,), S.PUBLISHED, 0.7, 29, True),
)


# What a team does with an ask left open past its due date, by the state it is in.
CLOSE_STALE: dict[str, str] = {
    S.PROPOSED: S.CANCELLED,
    S.QUEUED: S.CANCELLED,
    S.SENT: S.EXPIRED,
    S.ACCEPTED: S.COMPLETED,
    S.SCHEDULED: S.COMPLETED,
}
CLOSED_AFTER_DUE = timedelta(days=3)
OVERDUE_SHARE = 0.12


def _chosen(ask_id: int, step: int, share: float) -> bool:
    return (ask_id * 2_654_435_761 + step * 40_503) % 1000 < share * 1000


def progress_asks(*, now: datetime) -> dict[str, int]:
    """Move a share of the open asks one step at a time; returns how many reached each state."""
    moved: dict[str, int] = defaultdict(int)
    for step, (froms, to, share, days, published_only) in enumerate(STEPS):
        asks = Ask.objects.filter(
            status__in=froms, paused_at__isnull=True, opened_at__lte=now - timedelta(days=days)
        )
        if published_only:
            asks = asks.filter(ask_type__code__in=PUBLISHED_TYPES)
        by_day: dict[datetime, list[int]] = defaultdict(list)
        for pk, opened_at in asks.values_list("pk", "opened_at"):
            if _chosen(pk, step, share):
                at = opened_at.replace(hour=10, minute=0, second=0, microsecond=0)
                by_day[min(at + timedelta(days=days), now)].append(pk)
        for at, ids in sorted(by_day.items()):
            moved[to] += len(advance_asks(ids, to, actor=None, now=at, note="demo").moved)
    for to, n in settle_overdue(now=now).items():
        moved[to] += n
    return dict(moved)


def settle_overdue(*, now: datetime) -> dict[str, int]:
    """Close the open asks past due but for the most recently due `OVERDUE_SHARE` of the board.

    Each is closed `CLOSED_AFTER_DUE` after its due date or its last move, whichever is later,
    never after `now`. Paused asks stay as they are (and count among the overdue kept).
    """
    open_asks = Ask.objects.open()
    on_time = open_asks.exclude(due_at__lt=now).count()
    overdue = open_asks.filter(due_at__lt=now)
    keep = round(on_time * OVERDUE_SHARE / (1 - OVERDUE_SHARE))
    keep -= overdue.filter(paused_at__isnull=False).count()
    stale = overdue.filter(paused_at__isnull=True).order_by("-due_at", "-id")
    batches: dict[tuple[str, datetime], list[int]] = defaultdict(list)
    for pk, status, due_at, updated_at in stale.values_list("pk", "status", "due_at", "updated_at")[
        max(keep, 0) :
    ]:
        assert due_at is not None  # past due: it has a due date
        at = min(max(due_at, updated_at) + CLOSED_AFTER_DUE, now)
        batches[(CLOSE_STALE[status], at)].append(pk)
    moved: dict[str, int] = defaultdict(int)
    for (to, at), ids in sorted(batches.items(), key=lambda item: (item[0][1], item[0][0])):
        moved[to] += len(advance_asks(ids, to, actor=None, now=at, note="demo").moved)
    return dict(moved)
