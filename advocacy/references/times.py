"""The advocate chooses the time of their reference call from the times the desk offers.

Seed practice: the call is scheduled at the advocate's choice. Once an offer is accepted, the
desk offers a few times (`offer_times`); the advocate picks one in the portal (`choose_time`) and
the call is scheduled at it through `schedule_call`, organised by the desk user who offered it.
At most one time of an ask is chosen (a partial unique constraint on `AskSlot`), so two choices
at once cannot both schedule a call.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from advocacy.pipeline.models import AskStatus
from advocacy.pipeline.notices import NoticeDraft, NoticeKind, notify
from advocacy.pipeline.slots import AskSlot
from advocacy.references.models import Offer, OfferStatus, ReferenceCall
from advocacy.references.services import MAX_AHEAD, DeskError, schedule_call

MAX_TIMES = 5


def offered_times(made: Offer) -> list[AskSlot]:
    """The times offered for the offer's call and not taken, soonest first."""
    return list(AskSlot.objects.open().filter(ask_id=made.ask_id).order_by("starts_at", "pk"))


@transaction.atomic
def offer_times(
    made: Offer,
    starts: Sequence[datetime],
    *,
    duration_minutes: int = 20,
    actor: object,
    now: datetime,
) -> list[AskSlot]:
    """Offer the advocate of an accepted offer 1-5 times to choose from; a time offered
    before is kept as it is. Returns every open time of the call."""
    if made.status != OfferStatus.ACCEPTED:
        raise DeskError(f"offer {made.pk} is {made.status}: times are offered once it is accepted")
    if made.ask.status != AskStatus.ACCEPTED:
        raise DeskError(f"the call of offer {made.pk} is {made.ask.status} already")
    if AskSlot.objects.filter(ask_id=made.ask_id, chosen_at__isnull=False).exists():
        raise DeskError(f"the advocate already chose a time for offer {made.pk}")
    wanted = sorted(set(starts))
    if not 1 <= len(wanted) <= MAX_TIMES:
        raise DeskError(f"offer between 1 and {MAX_TIMES} different times")
    if not 5 <= duration_minutes <= 240:
        raise DeskError("duration_minutes must be between 5 and 240")
    past = [t for t in wanted if t <= now]
    if past:
        raise DeskError(f"a time is in the past: {past[0].isoformat()}")
    if wanted[-1] > now + MAX_AHEAD:
        raise DeskError(f"every time must be within {MAX_AHEAD.days} days")
    AskSlot.objects.bulk_create(
        [
            AskSlot(
                ask_id=made.ask_id,
                starts_at=t,
                duration_minutes=duration_minutes,
                offered_by_id=getattr(actor, "pk", None),
                offered_at=now,
            )
            for t in wanted
        ],
        ignore_conflicts=True,
    )
    return offered_times(made)


@transaction.atomic
def choose_time(slot: AskSlot, *, now: datetime) -> ReferenceCall:
    """The advocate takes `slot`: the call is scheduled at it, and the desk is told."""
    made = (
        Offer.objects.select_related("ask", "request", "offered_by", "contact")
        .filter(ask_id=slot.ask_id, status=OfferStatus.ACCEPTED)
        .order_by("pk")
        .first()
    )
    if made is None:
        raise DeskError("this call is no longer waiting for a time")
    if slot.starts_at <= now:
        raise DeskError("that time has passed: choose another")
    try:
        with transaction.atomic():
            taken = AskSlot.objects.filter(pk=slot.pk, chosen_at__isnull=True).update(chosen_at=now)
    except IntegrityError:
        taken = 0
    if taken != 1:
        raise DeskError("a time was already chosen for this call")
    organizer = slot.offered_by or made.offered_by or made.request.requested_by
    call = schedule_call(
        made,
        starts_at=slot.starts_at,
        duration_minutes=slot.duration_minutes,
        actor=None,
        organizer=organizer,
        now=now,
        note="call scheduled at the time the advocate chose in the portal",
    )
    who = made.contact.full_name or made.contact.email
    when = timezone.localtime(slot.starts_at)
    notify(
        [
            NoticeDraft(
                key=f"call_time_chosen:{slot.ask_id}",
                kind=NoticeKind.CALL_TIME_CHOSEN,
                contact_id=made.contact_id,
                ask_id=slot.ask_id,
                recipient_id=getattr(organizer, "pk", None),
                role="cs",
                text=(
                    f"{who} chose {when:%a %d %b %Y, %H:%M %Z} for the reference call "
                    f"with {made.request.prospect_company}: send the calendar invite."
                ),
            )
        ],
        now=now,
    )
    return call
