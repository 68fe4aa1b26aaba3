"""The reference desk's operations: file, offer, answer, schedule, record; one place each.

Every interface (web, CLI, API) calls these. Asks are opened through the engine's `open_asks`
(caps and exclusions hold) and moved through the pipeline's `advance_ask` or the engine's
`decline_ask`; a request's own status moves only through `move_request`, against
`REQUEST_TRANSITIONS`, by a conditional UPDATE.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from advocacy.customers.models import Contact, Region, SizeBand
from advocacy.engine.asks import AskRequest, CapExceeded, open_asks
from advocacy.engine.caps import covering, next_allowed, windows
from advocacy.engine.models import AskTypePreference
from advocacy.engine.pipeline_flow import decline_ask
from advocacy.engine.policy import Policy
from advocacy.engine.rules import REASONS
from advocacy.engine.services import refuse_unless_allowed
from advocacy.people.models import Role
from advocacy.pipeline.models import Ask, AskStatus, AskType
from advocacy.pipeline.notices import NoticeDraft, NoticeKind, notify
from advocacy.pipeline.services import advance_ask
from advocacy.pipeline.team_notices import tell_role
from advocacy.references.hooks import call_invited
from advocacy.references.matching import Candidate, Need, rank
from advocacy.references.models import (
    REQUEST_TRANSITIONS,
    CallOutcome,
    Offer,
    OfferStatus,
    OpportunityResult,
    ReferenceCall,
    ReferenceRequest,
    RequestFormat,
    RequestStatus,
)
from advocacy.references.pool import reference_type, refresh_pool
from advocacy.signals.models import Signal, SignalKind

R = RequestStatus
MAX_GROUP = 4
MAX_AHEAD = timedelta(days=366)
SIGNAL_SOURCE = "reference-desk"


class DeskError(ValueError):
    """A desk operation refused for a reason the user can fix; the message says which."""


class InvalidRequestData(DeskError):
    """A request filed with bad fields; the message names each."""


class InvalidRequestMove(DeskError):
    def __init__(self, request_id: int, from_status: str, to_status: str) -> None:
        allowed = sorted(REQUEST_TRANSITIONS.get(from_status, frozenset()))
        moves = ", ".join(allowed) if allowed else f"none ({from_status} is final)"
        super().__init__(
            f"request {request_id}: cannot move from {from_status} to {to_status}; "
            f"allowed from {from_status}: {moves}"
        )


@dataclass
class RequestData:
    opportunity: str
    prospect_company: str
    industry: str
    needed_by: date
    opportunity_ref: str = ""
    amount: Decimal | None = None
    size_band: str = ""
    region: str = ""
    products: list[str] = field(default_factory=list)
    use_case: str = ""
    format: str = RequestFormat.CALL
    prospect_contacts: list[str] = field(default_factory=list)
    notes: str = ""


def validate_request(data: RequestData, *, now: datetime) -> dict[str, str]:
    """Field -> message for each problem; empty when the request may be filed."""
    errors: dict[str, str] = {}
    for name in ("opportunity", "prospect_company", "industry"):
        if not str(getattr(data, name)).strip():
            errors[name] = "required"
    if data.region and data.region not in Region.values:
        errors["region"] = f"expected one of {', '.join(Region.values)}"
    if data.size_band and data.size_band not in SizeBand.values:
        errors["size_band"] = f"expected one of {', '.join(SizeBand.values)}"
    if data.format not in RequestFormat.values:
        errors["format"] = f"expected one of {', '.join(RequestFormat.values)}"
    if data.needed_by < now.date():
        errors["needed_by"] = f"{data.needed_by.isoformat()} is in the past"
    if data.amount is not None and data.amount < 0:
        errors["amount"] = "must not be negative"
    bad = [e for e in data.prospect_contacts if "@" not in e]
    if bad:
        errors["prospect_contacts"] = f"not email addresses: {', '.join(bad)}"
    return errors


@transaction.atomic
def file_request(data: RequestData, *, actor: Any, now: datetime) -> ReferenceRequest:
    """File a reference request for sales (DeskError naming every bad field); the desk (the
    customer success pool) is told, in the same transaction."""
    errors = validate_request(data, now=now)
    if errors:
        raise InvalidRequestData("; ".join(f"{k}: {v}" for k, v in errors.items()))
    request = ReferenceRequest.objects.create(
        opportunity=data.opportunity.strip(),
        opportunity_ref=data.opportunity_ref.strip(),
        amount=data.amount,
        prospect_company=data.prospect_company.strip(),
        prospect_contacts=[e.strip().lower() for e in data.prospect_contacts if e.strip()],
        industry=data.industry.strip(),
        size_band=data.size_band,
        region=data.region,
        products=[p.strip() for p in data.products if p.strip()],
        use_case=data.use_case.strip(),
        needed_by=data.needed_by,
        format=data.format,
        notes=data.notes,
        requested_by=actor,
        filed_at=now,
        updated_at=now,
    )
    who = actor.get_username() if actor is not None else "someone"
    tell_role(
        NoticeKind.REQUEST_FILED,
        Role.CUSTOMER_SUCCESS,
        f"{who} asks for a reference for {request.prospect_company} ({request.industry}), "
        f"needed by {request.needed_by:%Y-%m-%d}",
        key=f"request_filed:{request.pk}",
        now=now,
        path=f"/references/{request.pk}/",
    )
    return request


def move_request(
    request: ReferenceRequest, to: str, *, now: datetime, **changes: Any
) -> ReferenceRequest:
    """Move `request` to `to` if the table allows it from the status the caller saw."""
    seen = request.status
    if to not in REQUEST_TRANSITIONS.get(seen, frozenset()):
        raise InvalidRequestMove(request.pk, seen, to)
    closing = to in {R.COMPLETED, R.UNFILLED, R.CANCELLED}
    if closing:
        changes.setdefault("closed_at", now)
    changed = ReferenceRequest.objects.filter(pk=request.pk, status=seen).update(
        status=to, updated_at=now, **changes
    )
    if changed != 1:
        current = ReferenceRequest.objects.filter(pk=request.pk).values_list("status", flat=True)
        raise InvalidRequestMove(request.pk, current.first() or seen, to)
    request.status, request.updated_at = to, now
    for name, value in changes.items():
        setattr(request, name, value)
    return request


def cap_refusal(contact: Contact, ask_type: AskType, *, now: datetime, policy: Policy) -> str:
    """Which cap refused `contact` an ask of `ask_type` now, and when the next is allowed: an
    effort window in force, the advocate's unwillingness, or the type's own limit as the advocate
    has it (their own choice up to the policy's maximum, else the policy's default)."""
    efforts = covering(ask_type, policy)
    windows_now = next_allowed(contact.pk)
    shut = [e for e in efforts if (until := windows_now.get(e)) is not None and until > now]
    if shut:
        effort = shut[-1]
        days = windows([contact.pk], effort, policy)[contact.pk]
        until = max(w for e in shut if (w := windows_now[e]) is not None)
        return (
            f"tap cap: {contact.email} may be asked one ask of {effort.replace('_', ' ')} "
            f"effort or higher per {days} days; the next is allowed from {until.isoformat()}"
        )
    chosen = AskTypePreference.objects.filter(contact=contact, ask_type=ask_type).first()
    if chosen is not None and not chosen.willing:
        return f"{contact.email}: {REASONS['not_willing']}"
    rules = policy.for_type(ask_type.code)
    if rules.max_asks is None:
        return f"tap cap: {contact.email} may not be asked for {ask_type.code} now"
    own = chosen.max_asks if chosen is not None else None
    default = rules.default_max_asks or rules.max_asks
    allowed = default if own is None else min(own, rules.max_asks)
    asks = Ask.objects.filter(contact=contact, ask_type=ask_type).exclude(
        status=AskStatus.CANCELLED
    )
    per = "ever"
    if rules.per_days is not None:
        asks = asks.filter(opened_at__gt=now - timedelta(days=rules.per_days))
        per = f"per {rules.per_days} days"
    whose = "their own choice" if own is not None else f"up to {rules.max_asks} if they choose"
    what = (
        f"tap cap: {contact.email} may be asked {allowed} {ask_type.name.lower()} ask(s) {per} "
        f"({whose})"
    )
    opened = sorted(asks.values_list("opened_at", flat=True))
    if rules.per_days is not None and len(opened) >= allowed:
        until = opened[len(opened) - allowed] + timedelta(days=rules.per_days)
        what += f"; the next is allowed from {until.isoformat()}"
    return what


def need_of(request: ReferenceRequest) -> Need:
    return Need(
        industry=request.industry,
        region=request.region,
        size_band=request.size_band,
        products=tuple(request.products),
        use_case=request.use_case,
    )


def candidates(
    request: ReferenceRequest, *, now: datetime, policy: Policy, limit: int = 10
) -> list[Candidate]:
    """Ranked candidates for `request`, leaving out those already offered it."""
    offered = set(request.offers.values_list("contact_id", flat=True))
    return rank(need_of(request), now=now, policy=policy, limit=limit, skip=offered)


@transaction.atomic
def offer(
    request: ReferenceRequest,
    contact: Contact,
    *,
    actor: Any,
    now: datetime,
    policy: Policy,
    note: str = "",
) -> Offer:
    """Ask `contact` to take `request`: a `reference_call` ask, sent, through `open_asks`.

    The contact is re-checked against the live rules (Excluded) and the tap cap is claimed
    (CapExceeded): the type's own limit (one a month unless the advocate chose up to three) and
    any effort window the policy puts reference calls in. Only one live offer per request
    (DeskError otherwise).
    """
    if request.status != R.OPEN:
        raise DeskError(f"request {request.pk} is {request.status}: only open requests are offered")
    ask_type = reference_type()
    refuse_unless_allowed(contact, ask_type, now=now, policy=policy)
    due = datetime.combine(request.needed_by, datetime.min.time(), tzinfo=now.tzinfo)
    opened = open_asks(
        [
            AskRequest(
                contact.pk,
                ask_type,
                moment=f"reference:{request.pk}",
                status=AskStatus.SENT,
                owner_id=getattr(actor, "pk", None),
                owner_role="cs",
                channel="email",
                due_at=max(due, now),
                follow_up_at=now + timedelta(days=2),
            )
        ],
        now=now,
        actor=actor,
        policy=policy,
    )
    if opened.duplicate:
        raise DeskError(f"{contact.email} was already asked for request {request.pk}")
    if not opened.opened:
        raise CapExceeded(cap_refusal(contact, ask_type, now=now, policy=policy))
    try:
        with transaction.atomic():
            made = Offer.objects.create(
                request=request,
                contact=contact,
                ask=opened.opened[0],
                offered_by=actor,
                offered_at=now,
                note=note,
            )
    except IntegrityError:
        raise DeskError(f"request {request.pk} already has a live offer") from None
    move_request(request, R.OFFERED, now=now)
    refresh_pool(now=now, contact_ids=[contact.pk], policy=policy)
    return made


@transaction.atomic
def respond(
    made: Offer, accepted: bool, *, actor: Any, now: datetime, policy: Policy, note: str = ""
) -> Offer:
    """Record the advocate's answer; a decline frees the request for the next candidate."""
    if made.status != OfferStatus.OFFERED:
        raise DeskError(f"offer {made.pk} was already answered ({made.status})")
    ask = made.ask
    if accepted:
        advance_ask(ask, AskStatus.ACCEPTED, actor=actor, now=now, note=note)
    else:
        decline_ask(ask, actor=actor, now=now, policy=policy, note=note)
    status = OfferStatus.ACCEPTED if accepted else OfferStatus.DECLINED
    changed = Offer.objects.filter(pk=made.pk, status=OfferStatus.OFFERED).update(
        status=status, answered_at=now
    )
    if changed != 1:
        raise DeskError(f"offer {made.pk} was answered meanwhile")
    made.status, made.answered_at = status, now
    if not accepted:
        move_request(made.request, R.OPEN, now=now)
    refresh_pool(now=now, contact_ids=[made.contact_id], policy=policy)
    return made


@transaction.atomic
def schedule_call(
    made: Offer,
    *,
    starts_at: datetime,
    duration_minutes: int = 20,
    also: Sequence[ReferenceRequest] = (),
    actor: Any,
    now: datetime,
    organizer: Any = None,
    note: str = "call scheduled",
) -> ReferenceCall:
    """Schedule the call of an accepted offer; `also` makes it a group call of 2-4 requests.

    The other requests must be open; they get the same advocate (an accepted offer tied to the
    same ask: one call is one tap). Every request becomes scheduled and filled now. The invite
    is sent by `organizer` (default: the actor); a time the advocate chose has no actor, and
    the desk user who offered it organises.
    """
    organizer = organizer or actor
    if organizer is None:
        raise DeskError("a call needs an organizer: the desk user who sends the invite")
    if made.status != OfferStatus.ACCEPTED:
        raise DeskError(f"offer {made.pk} is {made.status}: only an accepted offer is scheduled")
    requests = [made.request, *also]
    ids = [r.pk for r in requests]
    if len(set(ids)) != len(ids):
        raise DeskError("a request appears twice in the group call")
    if len(requests) > MAX_GROUP:
        raise DeskError(f"a group call has 2-{MAX_GROUP} requests; got {len(requests)}")
    not_open = [f"{r.pk} ({r.status})" for r in also if r.status != R.OPEN]
    if not_open:
        raise DeskError(f"only open requests join a group call: {', '.join(not_open)}")
    if duration_minutes < 5 or duration_minutes > 240:
        raise DeskError("duration_minutes must be between 5 and 240")
    if starts_at < now:
        raise DeskError(f"the call would start in the past ({starts_at.isoformat()})")
    if starts_at > now + MAX_AHEAD:
        raise DeskError(f"the call must start within {MAX_AHEAD.days} days")
    advance_ask(made.ask, AskStatus.SCHEDULED, actor=actor, now=now, note=note)
    for other in also:
        try:
            with transaction.atomic():
                Offer.objects.create(
                    request=other,
                    contact_id=made.contact_id,
                    ask=made.ask,
                    status=OfferStatus.ACCEPTED,
                    offered_by=organizer,
                    offered_at=now,
                    answered_at=now,
                    note=f"joined the group call of request {made.request_id}",
                )
        except IntegrityError:
            raise DeskError(f"request {other.pk} already has a live offer") from None
        move_request(other, R.OFFERED, now=now)
    call = ReferenceCall.objects.create(
        contact_id=made.contact_id,
        organizer=organizer,
        uid=f"{uuid.uuid4()}@advocacy-reference-desk",
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        created_at=now,
        updated_at=now,
    )
    call.requests.set(requests)
    for r in requests:
        move_request(r, R.SCHEDULED, now=now, filled_at=now)
    _tell_filled(requests, call, made, now=now, actor=actor)
    call_invited(call, now=now)  # the invite to the advocate, the seller and the prospects
    return call


@transaction.atomic
def reschedule_call(
    call: ReferenceCall,
    *,
    starts_at: datetime,
    duration_minutes: int | None = None,
    actor: Any,
    now: datetime,
) -> ReferenceCall:
    """Move a scheduled call: its invite goes again to everyone, the same UID with a higher
    SEQUENCE, so their calendars update the event instead of adding one."""
    minutes = duration_minutes if duration_minutes is not None else call.duration_minutes
    if minutes < 5 or minutes > 240:
        raise DeskError("duration_minutes must be between 5 and 240")
    if starts_at < now:
        raise DeskError(f"the call would start in the past ({starts_at.isoformat()})")
    if starts_at > now + MAX_AHEAD:
        raise DeskError(f"the call must start within {MAX_AHEAD.days} days")
    changed = ReferenceCall.objects.filter(pk=call.pk, outcome=CallOutcome.SCHEDULED).update(
        starts_at=starts_at, duration_minutes=minutes, sequence=F("sequence") + 1, updated_at=now
    )
    if changed != 1:
        raise DeskError(f"call {call.pk} already has its outcome: it cannot be moved")
    call.refresh_from_db()
    call_invited(call, now=now)
    return call


def _tell_filled(
    requests: Sequence[ReferenceRequest],
    call: ReferenceCall,
    made: Offer,
    *,
    now: datetime,
    actor: Any,
) -> None:
    """Tell whoever filed each request that it is filled: a call with whom, and when."""
    contact = made.contact
    name = contact.full_name or contact.email
    notify(
        [
            NoticeDraft(
                key=f"request_filled:{r.pk}:{call.pk}",
                kind=NoticeKind.REQUEST_FILLED,
                contact_id=contact.pk,
                recipient_id=r.requested_by_id,
                text=f"{name} ({contact.account.name}) takes the reference call for "
                f"{r.prospect_company} on {call.starts_at:%Y-%m-%d %H:%M} UTC",
                path=f"/references/{r.pk}/",
            )
            for r in requests
            if r.requested_by_id != getattr(actor, "pk", None)
        ],
        now=now,
    )


@transaction.atomic
def record_outcome(
    call: ReferenceCall,
    outcome: str,
    *,
    rating: int | None = None,
    notes: str = "",
    actor: Any,
    now: datetime,
    policy: Policy,
) -> ReferenceCall:
    """Held: the ask and the requests complete, and a `reference_completed` signal is recorded
    for the advocate. No-show or cancelled: the ask is cancelled and the requests are open
    again (no longer filled), for the next candidate."""
    if outcome not in {CallOutcome.HELD, CallOutcome.NO_SHOW, CallOutcome.CANCELLED}:
        raise DeskError(f"outcome must be held, no_show or cancelled; got {outcome!r}")
    if rating is not None and not 1 <= rating <= 5:
        raise DeskError("rating must be between 1 and 5")
    if rating is not None and outcome != CallOutcome.HELD:
        raise DeskError("only a call that was held is rated")
    changed = ReferenceCall.objects.filter(pk=call.pk, outcome=CallOutcome.SCHEDULED).update(
        outcome=outcome, rating=rating, notes=notes, updated_at=now
    )
    if changed != 1:
        raise DeskError(f"call {call.pk} already has its outcome")
    call.outcome, call.rating, call.notes = outcome, rating, notes
    held = outcome == CallOutcome.HELD
    ask = Offer.objects.filter(request__calls=call).select_related("ask").first()
    if ask is not None:
        advance_ask(
            ask.ask,
            AskStatus.COMPLETED if held else AskStatus.CANCELLED,
            actor=actor,
            now=now,
            note=f"reference call {outcome.replace('_', '-')}",
            record_activity=False,  # recorded below, once per call, with its rating
        )
    if held:
        # The advocacy ladder counts references completed: record it as a signal, once per call.
        contact = Contact.objects.only("account_id").get(pk=call.contact_id)
        Signal.objects.bulk_create(
            [
                Signal(
                    source=SIGNAL_SOURCE,
                    key=f"call:{call.pk}",
                    kind=SignalKind.REFERENCE_COMPLETED,
                    account_id=contact.account_id,
                    contact_id=call.contact_id,
                    occurred_at=now,
                    value=rating,
                    text=notes[:2000],
                )
            ],
            ignore_conflicts=True,
        )
    for r in call.requests.filter(status=R.SCHEDULED):
        if held:
            move_request(r, R.COMPLETED, now=now)
        else:
            Offer.objects.filter(request=r, status=OfferStatus.ACCEPTED).update(
                status=OfferStatus.DECLINED, note=f"call {outcome.replace('_', '-')}"
            )
            move_request(r, R.OPEN, now=now, filled_at=None)
    refresh_pool(now=now, contact_ids=[call.contact_id], policy=policy)
    return call


def record_result(request: ReferenceRequest, result: str, *, now: datetime) -> ReferenceRequest:
    """The opportunity's result (open, won, lost), recorded on the request."""
    if result not in OpportunityResult.values:
        raise DeskError(f"result must be one of {', '.join(OpportunityResult.values)}")
    ReferenceRequest.objects.filter(pk=request.pk).update(result=result, updated_at=now)
    request.result, request.updated_at = result, now
    return request


def close_request(request: ReferenceRequest, to: str, *, now: datetime) -> ReferenceRequest:
    """Mark a request unfilled (no advocate found in time) or cancelled (sales withdrew it)."""
    if to not in {R.UNFILLED, R.CANCELLED}:
        raise DeskError("a request is closed as unfilled or cancelled")
    live = Offer.objects.filter(request=request, status=OfferStatus.OFFERED).first()
    if live is not None:
        raise DeskError(
            f"request {request.pk} has an unanswered offer ({live.pk}); record it first"
        )
    return move_request(request, to, now=now)
