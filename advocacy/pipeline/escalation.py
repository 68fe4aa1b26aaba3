"""Escalation: open asks still overdue a grace period after their due date go to a lead.

The lead of an ask is the user named for its role in `ADVOCACY_ESCALATION_LEADS` (the role on
the ask, else its owner's role), else the program's first admin (role admin, or a superuser,
the earliest created). An ask is escalated once: `escalated_at` is set by a conditional
UPDATE (`WHERE escalated_at IS NULL`), so running the job twice, or two jobs at once,
escalates it once and records one event. The work is set-based: one SELECT, one lookup of
the leads, one UPDATE (a CASE choosing each ask's lead), one INSERT of events, whatever the
number of asks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import BigIntegerField, Case, F, Q, Value, When
from django.db.models.functions import Cast

from advocacy.people.models import Role
from advocacy.pipeline.models import Ask, AskEvent
from advocacy.pipeline.notices import NoticeKind, notify
from advocacy.pipeline.team_notices import ask_rows, drafts_for


@dataclass
class Escalation:
    """What an escalation run did (or, dry, would do): ask id → lead's username (or None)."""

    grace_hours: int
    escalated: dict[int, str | None] = field(default_factory=dict)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "grace_hours": self.grace_hours,
            "count": len(self.escalated),
            "asks": [{"id": pk, "escalated_to": who} for pk, who in sorted(self.escalated.items())],
        }


def grace_hours() -> int:
    hours: int = settings.ESCALATION_GRACE_HOURS
    return hours


def leads() -> tuple[dict[str, Any], Any]:
    """The lead user of each role named in the settings, and the fallback admin (or None)."""
    users = get_user_model().objects.filter(is_active=True)
    named: dict[str, str] = settings.ESCALATION_LEADS
    found = {u.get_username(): u for u in users.filter(username__in=set(named.values()))}
    by_role = {role: found[name] for role, name in named.items() if name in found}
    admin = users.filter(Q(role=Role.ADMIN) | Q(is_superuser=True)).order_by("date_joined", "pk")
    return by_role, admin.first()


def due_for_escalation(now: datetime, hours: int) -> Any:
    """Open asks past due by more than the grace period, not escalated yet."""
    return Ask.objects.overdue(now - timedelta(hours=hours)).filter(escalated_at__isnull=True)


@transaction.atomic
def escalate_overdue(
    *, now: datetime, hours: int | None = None, dry_run: bool = False, actor: Any = None
) -> Escalation:
    """Escalate every ask overdue by more than `hours` (the setting by default), once each."""
    hours = grace_hours() if hours is None else hours
    result = Escalation(grace_hours=hours, dry_run=dry_run)
    rows = list(
        due_for_escalation(now, hours)
        .select_for_update(of=("self",))
        .order_by("pk")
        .values("pk", "status", "due_at", "owner_role", role_of_owner=F("owner__role"))
    )
    if not rows:
        return result
    by_role, admin = leads()
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        lead = by_role.get(row["owner_role"] or row["role_of_owner"] or "", admin)
        groups[lead].append(row)
        result.escalated[row["pk"]] = lead.get_username() if lead else None
    if dry_run:
        return result
    events = []
    actor_id = getattr(actor, "pk", None)
    whens = [
        When(
            pk__in=[row["pk"] for row in group],
            then=Value(getattr(lead, "pk", None)),
        )
        for lead, group in groups.items()
    ]
    Ask.objects.filter(pk__in=[row["pk"] for row in rows], escalated_at__isnull=True).update(
        escalated_at=now,
        escalated_to_id=Cast(Case(*whens, output_field=BigIntegerField()), BigIntegerField()),
        updated_at=now,
    )
    for lead, group in groups.items():
        who = lead.get_username() if lead else "nobody (no admin to escalate to)"
        for row in group:
            due = row["due_at"].strftime("%Y-%m-%d %H:%M")
            events.append(
                AskEvent(
                    ask_id=row["pk"],
                    from_status=row["status"],
                    to_status=row["status"],
                    actor_id=actor_id,
                    at=now,
                    note=f"escalated to {who}: overdue since {due} (grace {hours} h)",
                )
            )
    AskEvent.objects.bulk_create(events)
    _tell(rows, groups, now=now, hours=hours)
    return result


def _tell(
    rows: list[dict[str, Any]],
    groups: dict[Any, list[dict[str, Any]]],
    *,
    now: datetime,
    hours: int,
) -> None:
    """Tell each ask's owner (or its pool) that it is overdue, and its lead that it came to
    them (when the lead is someone else): one read and one insert for any number of asks."""
    lead_of = {row["pk"]: getattr(lead, "pk", None) for lead, group in groups.items()
               for row in group}  # fmt: skip
    found = ask_rows(row["pk"] for row in rows)

    def phrase(r: dict[str, Any]) -> str:
        return f"{r['ask_type']} with {r['who']} is overdue since {r['due_at']:%Y-%m-%d %H:%M}"

    to_owners = drafts_for(
        found, NoticeKind.ASK_OVERDUE, key=lambda r: f"ask_overdue:{r['pk']}", phrase=phrase
    )
    to_leads = drafts_for(
        found,
        NoticeKind.ASK_OVERDUE,
        key=lambda r: f"ask_overdue:{r['pk']}:lead",
        phrase=lambda r: f"escalated to you: {phrase(r)} (grace {hours} h)",
        to=lambda r: None if lead_of[r["pk"]] == r["owner_id"] else lead_of[r["pk"]],
        pool=False,
    )
    notify(to_owners + to_leads, now=now)
