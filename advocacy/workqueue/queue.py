"""The work queue: what the team should act on now, each item with its action.

Six sections, each one query bounded by `limit` plus one count:

- asks overdue (open past their due date, the play's SLA);
- asks that missed their send window (still unsent after the play's send-by moment);
- content waiting for approval (drafts to send for review, and drafts with the advocate);
- reference requests not filled (open, no advocate offered yet), the most urgent first;
- consents about to run out (live content whose consent ends within `CONSENT_DAYS`);
- replies to read (what advocates did in the portal for this person, the last `REPLY_DAYS`).

`mine` narrows the asks to those the person owns, the requests to those they filed and the
content to what they drafted. The home page, `advocacy queue` and `GET /api/queue` show the
same items; each item names the action the person may take, or only "Open" when their role
may not act on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from advocacy.content.models import Asset, AssetStatus
from advocacy.people.permissions import Action, allowed
from advocacy.pipeline.models import UNSENT_STATUSES, Ask
from advocacy.pipeline.notices import Notice, NoticeKind
from advocacy.references.models import ReferenceRequest, RequestStatus

CONSENT_DAYS = 30
REPLY_DAYS = 14
LIMIT = 5
# What advocates do in the portal: the notices that are replies, not the team's own news.
REPLY_KINDS = (
    NoticeKind.ASK_ACCEPTED,
    NoticeKind.ASK_DECLINED,
    NoticeKind.ALTERNATIVE_ACCEPTED,
    NoticeKind.ALTERNATIVE_DECLINED,
    NoticeKind.CALL_TIME_CHOSEN,
    NoticeKind.CONTENT_APPROVED,
    NoticeKind.CONTENT_EDITED,
    NoticeKind.CONTENT_DECLINED,
    NoticeKind.PREFERENCES_CHANGED,
    NoticeKind.OPTED_OUT,
    NoticeKind.LINK_REQUESTED,
)


@dataclass(frozen=True)
class Item:
    """One thing to act on: what it is (`target`: ask, asset, request or contact, and its id),
    a sentence about it, the moment that makes it urgent, and the action offered."""

    target: str
    target_id: int
    text: str
    at: datetime | None
    action: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "target_id": self.target_id,
            "text": self.text,
            "at": self.at.isoformat() if self.at else None,
            "action": self.action,
        }


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    total: int
    items: tuple[Item, ...]
    empty: str  # what the section says when there is nothing in it

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "total": self.total,
            "items": [item.as_dict() for item in self.items],
        }


def _who(contact: Any) -> str:
    return contact.full_name or contact.email


def _action(user: Any, action: Action, label: str) -> str:
    # No user: the operator at the command line, who may do everything.
    return label if user is None or allowed(user, action) else "Open"


def _section(
    code: str,
    title: str,
    qs: QuerySet[Any],
    limit: int,
    item: Callable[[Any], Item],
    empty: str,
) -> Section:
    rows = list(qs[:limit])
    total = len(rows) if len(rows) < limit else qs.count()
    return Section(code, title, total, tuple(item(r) for r in rows), empty)


def _ask_text(ask: Ask, what: str) -> str:
    return f"{ask.ask_type.name} ask of {_who(ask.contact)} ({ask.contact.account.name}): {what}"


def work_queue(
    user: Any, *, now: datetime, mine: bool = False, limit: int = LIMIT
) -> list[Section]:
    asks = Ask.objects.select_related("ask_type", "contact", "contact__account")
    assets = Asset.objects.select_related("contact")
    requests = ReferenceRequest.objects.all()
    """The sections of `user`'s work queue (None: the operator's, everyone's)."""
    if mine and user is None:
        raise ValueError("only a person has work of their own: name them")
    notices = Notice.objects.all() if user is None else Notice.objects.for_user(user)
    if mine:
        asks = asks.filter(owner=user)
        assets = assets.filter(created_by=user)
        requests = requests.filter(requested_by=user)
    follow_up = _action(user, Action.ASKS_MOVE, "Follow up")
    send = _action(user, Action.ASKS_MOVE, "Send now")
    review = _action(user, Action.CONTENT_MOVE, "Review")
    repermission = _action(user, Action.CONTENT_CONSENT, "Ask to renew")
    find = _action(user, Action.REFERENCES_DESK, "Find a reference")
    return [
        _section(
            "overdue",
            "Asks overdue",
            asks.overdue(now).order_by("due_at", "pk"),
            limit,
            lambda a: Item(
                "ask", a.pk, _ask_text(a, f"was due {a.due_at:%-d %b}"), a.due_at, follow_up
            ),
            "No ask is overdue.",
        ),
        _section(
            "missed_window",
            "Asks that missed their send window",
            asks.missed_send_window(now)
            .filter(status__in=UNSENT_STATUSES)
            .order_by("send_by", "pk"),
            limit,
            lambda a: Item(
                "ask",
                a.pk,
                _ask_text(a, f"should have gone by {a.send_by:%-d %b, %H:%M}"),
                a.send_by,
                send,
            ),
            "Every ask went out in time.",
        ),
        _section(
            "approvals",
            "Content waiting for approval",
            assets.filter(status__in=[AssetStatus.DRAFT, AssetStatus.ADVOCATE_REVIEW]).order_by(
                "updated_at", "pk"
            ),
            limit,
            lambda c: Item(
                "asset",
                c.pk,
                f"“{c.title}” of {_who(c.contact)}: "
                + (
                    "a draft to send for review"
                    if c.status == AssetStatus.DRAFT
                    else "with the advocate for approval"
                ),
                c.updated_at,
                review,
            ),
            "No content waits for approval.",
        ),
        _section(
            "unfilled",
            "Reference requests not filled",
            requests.filter(status=RequestStatus.OPEN).order_by("needed_by", "pk"),
            limit,
            lambda r: Item(
                "request",
                r.pk,
                f"{r.prospect_company}, {r.opportunity}: needed by {r.needed_by:%-d %b}",
                None,
                find,
            ),
            "Every reference request has an advocate.",
        ),
        _section(
            "consents",
            f"Consents ending within {CONSENT_DAYS} days",
            assets.expiring(now, now + timedelta(days=CONSENT_DAYS)).order_by(
                "consent_expires_at", "pk"
            ),
            limit,
            lambda c: Item(
                "asset",
                c.pk,
                f"“{c.title}” of {_who(c.contact)}: consent ends {c.consent_expires_at:%-d %b}",
                c.consent_expires_at,
                repermission,
            ),
            f"No consent ends in the next {CONSENT_DAYS} days.",
        ),
        _section(
            "replies",
            "Replies from advocates",
            notices.recent(now, REPLY_DAYS)
            .filter(kind__in=REPLY_KINDS)
            .select_related("contact")
            .order_by("-at", "-id"),
            limit,
            lambda n: Item(
                "ask" if n.ask_id else "contact",
                n.ask_id or n.contact_id or 0,
                n.text,
                n.at,
                "Open",
            ),
            f"No reply from an advocate in the last {REPLY_DAYS} days.",
        ),
    ]
