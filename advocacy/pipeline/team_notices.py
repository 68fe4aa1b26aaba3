"""Notices of what happened on the team's side: an ask given to someone, overdue, due a
follow-up; a reference request filed or filled; content waiting for approval.

Each is recorded by the service that causes it, in its transaction (`notify`, one insert),
and reaches its recipient like the portal's notices: on their work queue at once, then by
email or Slack as they chose (`notify_by`, the outbox's work). The asks' notices go to the
ask's owner, or to its role's pool when it has none; a user is not told of what they did
themselves (assigning an ask to oneself).

    tell_owners(ask_ids, kind, now=..., key=..., phrase=...)   # one read, one insert
    tell_role(kind, role, text, key=..., now=..., path=...)    # a pool's notice
    tell_user(kind, user_id, text, key=..., now=..., ...)      # one person's notice
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from advocacy.pipeline.models import Ask
from advocacy.pipeline.notices import NoticeDraft, NoticeKind, notify

K = NoticeKind
# What an ask's notice reads, from one row of `ask_rows` (who, ask_type, due_at, ...).
Phrase = Callable[[dict[str, Any]], str]
Key = Callable[[dict[str, Any]], str]


def ask_rows(ask_ids: Iterable[int]) -> list[dict[str, Any]]:
    """What an ask's notice needs to read well: one query for any number of asks."""
    found = (
        Ask.objects.filter(pk__in=sorted(set(ask_ids)))
        .order_by("pk")
        .values(
            "pk",
            "contact_id",
            "owner_id",
            "owner_role",
            "due_at",
            "follow_up_at",
            "ask_type__name",
            "contact__first_name",
            "contact__last_name",
            "contact__email",
            "contact__account__name",
        )
    )
    rows = [dict(row) for row in found]
    for row in rows:
        name = f"{row['contact__first_name']} {row['contact__last_name']}".strip()
        row["who"] = f"{name or row['contact__email']} ({row['contact__account__name']})"
        row["ask_type"] = row["ask_type__name"]
    return rows


def tell_owners(
    ask_ids: Iterable[int],
    kind: str,
    *,
    now: datetime,
    key: Key,
    phrase: Phrase,
    actor: Any = None,
    to: Callable[[dict[str, Any]], int | None] | None = None,
    pool: bool = True,
) -> int:
    """Record a notice of `kind` for each ask, to its owner (or `to(row)`), else (with
    `pool`) its role's pool; none to the actor themselves. Returns how many were drafted."""
    drafts = drafts_for(
        ask_rows(ask_ids), kind, key=key, phrase=phrase, actor=actor, to=to, pool=pool
    )
    notify(drafts, now=now)
    return len(drafts)


def drafts_for(
    rows: Iterable[dict[str, Any]],
    kind: str,
    *,
    key: Key,
    phrase: Phrase,
    actor: Any = None,
    to: Callable[[dict[str, Any]], int | None] | None = None,
    pool: bool = True,
) -> list[NoticeDraft]:
    """The notices of `tell_owners`, from rows already read (`ask_rows`)."""
    actor_id = getattr(actor, "pk", None)
    drafts = []
    for row in rows:
        recipient = to(row) if to is not None else row["owner_id"]
        if recipient is not None and recipient == actor_id:
            continue
        if recipient is None and not (pool and row["owner_role"]):
            continue  # no one to tell: no owner, no pool
        drafts.append(
            NoticeDraft(
                key=key(row),
                kind=kind,
                contact_id=row["contact_id"],
                ask_id=row["pk"],
                recipient_id=recipient,
                role="" if recipient is not None else row["owner_role"],
                text=phrase(row)[:1000],
            )
        )
    return drafts


def tell_role(
    kind: str,
    role: str,
    text: str,
    *,
    key: str,
    now: datetime,
    path: str = "",
    contact_id: int | None = None,
) -> None:
    """A notice for anyone of `role` (a reference request filed: the desk)."""
    notify(
        [NoticeDraft(key, kind, contact_id, text, role=role, path=path)],
        now=now,
    )


def tell_user(
    kind: str,
    user_id: int | None,
    text: str,
    *,
    key: str,
    now: datetime,
    path: str = "",
    contact_id: int | None = None,
    actor: Any = None,
) -> None:
    """A notice for one person (none to the actor themselves, nor to no one)."""
    if user_id is None or user_id == getattr(actor, "pk", None):
        return
    notify(
        [NoticeDraft(key, kind, contact_id, text, recipient_id=user_id, path=path)],
        now=now,
    )


def stamp(now: datetime) -> str:
    """A moment in a notice's key, for facts that may happen again (an ask given twice)."""
    return now.strftime("%Y%m%dT%H%M%S%f")


def assigned(ask_ids: Iterable[int], *, now: datetime, actor: Any = None, note: str = "") -> int:
    """Tell each ask's new owner it is theirs now."""
    return tell_owners(
        ask_ids,
        K.ASK_ASSIGNED,
        now=now,
        actor=actor,
        pool=False,
        key=lambda r: f"ask_assigned:{r['pk']}:{r['owner_id']}:{stamp(now)}",
        phrase=lambda r: (
            f"{r['ask_type']} with {r['who']} is yours now" + (f": {note}" if note else "")
        ),
    )
