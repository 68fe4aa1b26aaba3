"""The guards: open asks paused, resumed or cancelled when the advocate's situation changes.

Seed 003's edge cases, decided by the exclusion rules the plays use (`advocacy.engine.rules`,
compiled by the one condition compiler), so a guard and a play never disagree:

- **opted out** (by hand, through a contact import or an opt-out signal): every open ask is
  cancelled and the current agreement ends; an opt-out signal first records `opted_out_at`;
- **left the company**: open asks are paused and stay paused; a replacement from the same
  account is suggested (`suggest_replacements`) and the ask can be reassigned to them
  (`reassign_ask`: the old ask cancelled, a new one opened through `open_asks`, caps holding);
- **unresolved support issue** and **dissatisfied** (health under the floor, or a detractor's
  NPS): open asks are paused, and resumed by the same job once the condition no longer holds.

`run_guards` is set-based: one statement per rule whatever the number of asks (tested with
`django_assert_max_num_queries`). The periodic engine task runs it; `advocacy asks guard` and
`POST /api/asks/guard` run it on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from advocacy.customers.models import Contact
from advocacy.engine.asks import AskRequest, CapExceeded, open_asks
from advocacy.engine.conditions import compile_condition, validate
from advocacy.engine.models import Play
from advocacy.engine.policy import Policy
from advocacy.engine.profile import base_annotations, with_profile
from advocacy.engine.readiness import cap_refusals, open_ask, refuses
from advocacy.engine.rules import (
    LEFT_COMPANY,
    OPTED_OUT,
    UNRESOLVED_SUPPORT,
    Condition,
    dissatisfied,
    requirements,
)
from advocacy.engine.services import refuse_unless_allowed
from advocacy.pipeline.agreements import Agreement, AgreementStatus
from advocacy.pipeline.models import Ask, AskEvent, AskStatus
from advocacy.pipeline.pausing import pause_asks, resume_asks
from advocacy.pipeline.services import advance_ask, advance_asks
from advocacy.signals.models import Signal, SignalKind

LEFT = "left_company"
SUPPORT = "support_issue"
DISSATISFIED = "dissatisfied"
RUNGS = ("none", "satisfied", "engaged", "advocate", "champion", "ambassador")


@dataclass(frozen=True)
class Guard:
    code: str  # stored on the ask as `paused_by`
    reason: str  # why the ask is paused, shown on the board and the ask page
    resolved: str  # the note when the guard resumes it
    condition: Condition


def guards(policy: Policy) -> list[Guard]:
    """The pausing guards, in the order they are applied (the first to hold gives the reason)."""
    return [
        Guard(LEFT, "the advocate left the company", "back at the company", LEFT_COMPANY),
        Guard(
            SUPPORT,
            "unresolved support issue",
            "support issue resolved (tickets closed)",
            UNRESOLVED_SUPPORT,
        ),
        Guard(
            DISSATISFIED,
            f"dissatisfied: health below {policy.dissatisfied_health_below} "
            f"or NPS {policy.dissatisfied_nps_max} or lower",
            "satisfied again (health and NPS back)",
            dissatisfied(policy),
        ),
    ]


def contacts_matching(
    cond: Condition, now: datetime, policy: Policy, among: QuerySet[Contact] | None = None
) -> QuerySet[Contact]:
    """Contacts (of `among`) for which `cond` holds as of `now`, through the one compiler.

    Only the profile columns the condition reads are computed.
    """
    names = {leaf.field.name for leaf in validate(cond)}
    base = base_annotations(now)
    qs = Contact.objects.all() if among is None else among
    if names <= set(base):
        qs = qs.annotate(**{name: base[name] for name in sorted(names)})
    else:
        qs = with_profile(qs, now, policy)
    return qs.filter(compile_condition(cond, now))


@dataclass
class GuardReport:
    opt_outs_recorded: int = 0
    agreements_ended: int = 0
    cancelled: list[int] = field(default_factory=list)
    paused: dict[str, list[int]] = field(default_factory=dict)
    resumed: dict[str, list[int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "opt_outs_recorded": self.opt_outs_recorded,
            "agreements_ended": self.agreements_ended,
            "cancelled": self.cancelled,
            "paused": self.paused,
            "resumed": self.resumed,
        }


def record_signalled_opt_outs(now: datetime) -> int:
    """Set `opted_out_at` (the first opt-out signal's time) on contacts who opted out by signal.

    One UPDATE driven by the signal log's (kind, occurred_at) index.
    """
    signals = Signal.objects.filter(kind=SignalKind.OPT_OUT, occurred_at__lte=now)
    first = (
        signals.filter(contact=OuterRef("pk"))
        .order_by()
        .values("contact")
        .annotate(at=Min("occurred_at"))
        .values("at")
    )
    return Contact.objects.filter(
        opted_out_at__isnull=True, pk__in=signals.filter(contact__isnull=False).values("contact")
    ).update(opted_out_at=Subquery(first), updated_at=now)


@transaction.atomic
def run_guards(*, now: datetime, policy: Policy) -> GuardReport:
    """Apply every guard to every open ask as of `now`; a second run changes nothing."""
    report = GuardReport()
    report.opt_outs_recorded = record_signalled_opt_outs(now)
    with_open_asks = Contact.objects.filter(pk__in=Ask.objects.open().values("contact_id"))
    opted_out = Contact.objects.filter(opted_out_at__lte=now)
    report.agreements_ended = (
        Agreement.objects.current()
        .filter(contact__in=opted_out)
        .update(
            status=AgreementStatus.OPTED_OUT, ended_at=now, end_reason="opted out", updated_at=now
        )
    )
    leaving = contacts_matching(OPTED_OUT, now, policy, with_open_asks)
    ids = list(
        Ask.objects.open().filter(contact__in=leaving.values("pk")).values_list("pk", flat=True)
    )
    if ids:
        report.cancelled = advance_asks(
            ids, AskStatus.CANCELLED, actor=None, now=now, note="opted out"
        ).moved
    rules = guards(policy)
    for guard in rules:
        holding = contacts_matching(guard.condition, now, policy, with_open_asks)
        over = (
            Ask.objects.paused()
            .filter(paused_by=guard.code)
            .exclude(contact__in=holding.values("pk"))
        )
        report.resumed[guard.code] = [c.id for c in resume_asks(over, guard.resolved, now=now)]
    for guard in rules:
        holding = contacts_matching(guard.condition, now, policy, with_open_asks)
        asks = Ask.objects.active().filter(contact__in=holding.values("pk"))
        changed = pause_asks(asks, guard.reason, by=guard.code, now=now)
        report.paused[guard.code] = [c.id for c in changed]
    return report


@dataclass(frozen=True)
class Candidate:
    """A colleague of the advocate who could take the ask over, with why they rank where."""

    contact_id: int
    email: str
    name: str
    rung: str
    stage: str
    ready: bool  # the ask type's prerequisites hold
    nps: float | None
    health: float | None

    @property
    def reasons(self) -> str:
        ready = "meets the prerequisites" if self.ready else "prerequisites not met yet"
        return f"{self.rung} rung, {self.stage} stage, {ready}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "contact_id": self.contact_id,
            "email": self.email,
            "name": self.name,
            "rung": self.rung,
            "stage": self.stage,
            "ready": self.ready,
            "nps": self.nps,
            "reasons": self.reasons,
        }


def suggest_replacements(
    ask: Ask, *, now: datetime, policy: Policy, limit: int = 5
) -> list[Candidate]:
    """Contacts of the same account who may be given `ask` instead, best first; one query.

    Only contacts no exclusion of the ask type applies to, with no tap cap in force for it and
    no open ask of that type; ranked by eligibility (every rule met), ladder rung, then NPS.
    """
    ask_type = ask.ask_type
    colleagues = Contact.objects.filter(account_id=ask.contact.account_id).exclude(
        pk=ask.contact_id
    )
    qs = with_profile(colleagues, now, policy)
    rules = requirements(policy, ask_type)
    blocked = [When(refuses(r, now), then=Value(True)) for r in rules if r.blocks and not r.holds]
    blocked += [When(q, then=Value(True)) for _, q in cap_refusals(ask_type, policy, now)]
    met = [compile_condition(r.condition, now) for r in rules if not r.blocks]
    qs = qs.annotate(
        blocked=Case(*blocked, default=Value(False), output_field=BooleanField()),
        is_ready=Case(
            When(Q(*met) if met else Q(pk__isnull=False), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        rung_rank=Case(
            *[When(rung=r, then=Value(i)) for i, r in enumerate(RUNGS)],
            default=Value(0),
            output_field=IntegerField(),
        ),
    ).filter(blocked=False)
    qs = qs.exclude(open_ask(ask_type))
    ranked = qs.order_by("-is_ready", "-rung_rank", F("nps").desc(nulls_last=True), "pk")
    rows = ranked.values(
        "pk", "email", "first_name", "last_name", "rung", "stage", "is_ready", "nps", "health"
    )[:limit]
    return [
        Candidate(
            r["pk"],
            r["email"],
            f"{r['first_name']} {r['last_name']}".strip(),
            r["rung"],
            r["stage"],
            bool(r["is_ready"]),
            r["nps"],
            r["health"],
        )
        for r in rows
    ]


class ReassignRefused(Exception):
    """A replacement that cannot take the ask over (another account, the same person...)."""


@dataclass
class Reassigned:
    old: Ask
    new: Ask

    def as_dict(self) -> dict[str, Any]:
        return {
            "cancelled": self.old.pk,
            "opened": self.new.pk,
            "contact_id": self.new.contact_id,
            "status": self.new.status,
        }


def _dates(ask: Ask, now: datetime) -> tuple[datetime | None, datetime | None]:
    """Due and follow-up dates from the play's SLA, as for any ask of that play."""
    play = Play.objects.filter(name=ask.play).first() if ask.play else None
    if play is None:
        return None, None
    d = play.definition
    sla_days = d.get("sla", {}).get("respond_within_days")
    reminder = d.get("timing", {}).get("reminder_after_days")
    return (
        now + timedelta(days=sla_days) if sla_days else None,
        now + timedelta(days=reminder) if reminder else None,
    )


@transaction.atomic
def reassign_ask(
    ask: Ask, replacement: Contact, *, actor: Any, now: datetime, policy: Policy, note: str = ""
) -> Reassigned:
    """Give an open ask to a colleague: cancel it, open the same ask for `replacement`.

    The new ask is proposed (someone reviews it), keeps the play, owner and channel, is unique
    per replaced ask (moment `replaces:<id>`) and opened through `open_asks`, so exclusions and
    tap caps hold (Excluded, CapExceeded); on refusal nothing changes, the old ask included.
    """
    old_contact = ask.contact
    if replacement.pk == old_contact.pk:
        raise ReassignRefused(f"ask {ask.pk} is already {replacement.email}'s")
    if replacement.account_id != old_contact.account_id:
        raise ReassignRefused(
            f"{replacement.email} is not at {old_contact.account.name}: a replacement comes "
            "from the same account"
        )
    # A person picks the colleague from the suggestions, ready or not (ranked by readiness):
    # the exclusions are hard stops, the rest is their judgment, and the ask opens proposed.
    refuse_unless_allowed(replacement, ask.ask_type, now=now, policy=policy, exclusions_only=True)
    why = f": {note.strip()}" if note.strip() else ""
    advance_ask(
        ask,
        AskStatus.CANCELLED,
        actor=actor,
        now=now,
        note=f"reassigned to {replacement.email}{why}",
    )
    due_at, follow_up_at = _dates(ask, now)
    request = AskRequest(
        contact_id=replacement.pk,
        ask_type=ask.ask_type,
        moment=f"replaces:{ask.pk}",
        play=ask.play,
        trigger_signal_id=ask.trigger_signal_id,
        status=AskStatus.PROPOSED,
        owner_id=ask.owner_id,
        owner_role=ask.owner_role,
        channel=ask.channel,
        due_at=due_at,
        follow_up_at=follow_up_at,
    )
    opened = open_asks([request], now=now, actor=actor, policy=policy)
    if not opened.opened:
        effort = ask.ask_type.get_effort_display().lower()
        raise CapExceeded(
            f"tap cap: {replacement.email} may not be asked another {effort}-effort ask yet; "
            f"ask {ask.pk} was left as it was"
        )
    new = opened.opened[0]
    AskEvent.objects.filter(ask=new).update(
        note=f"replaces ask {ask.pk} of {old_contact.email}{why}"
    )
    return Reassigned(ask, new)
