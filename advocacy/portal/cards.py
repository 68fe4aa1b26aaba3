"""What the portal shows of each ask: what is asked, how long it takes, what the advocate gets.

Built for a list of asks at once (a constant number of queries however many there are): the
play's incentive, the agreement's benefits, the reference request behind a call (its industry
and use case, never the prospect's name before the call is booked), the times offered and the
call booked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import F

from advocacy.customers.models import Contact
from advocacy.engine.models import Play
from advocacy.pipeline.agreements import Agreement
from advocacy.pipeline.models import Ask
from advocacy.pipeline.slots import AskSlot
from advocacy.references.models import Offer, ReferenceCall, ReferenceRequest


@dataclass
class AskCard:
    ask: Ask
    what: str
    time_needed: str
    incentive: str
    due: date | None
    request: ReferenceRequest | None = None
    times: list[AskSlot] = field(default_factory=list)
    call: ReferenceCall | None = None

    @property
    def pk(self) -> int:
        return self.ask.pk

    @property
    def name(self) -> str:
        return self.ask.ask_type.name


def benefits_of(contact: Contact, on: date) -> str:
    """What the advocate's agreement in force says they get in return (empty: none)."""
    agreement = Agreement.objects.in_force(on).filter(contact=contact).first()
    return agreement.benefits if agreement is not None else ""


def cards(asks: Sequence[Ask], *, now: datetime) -> list[AskCard]:
    """One card per ask, in the order given."""
    if not asks:
        return []
    ids = [a.pk for a in asks]
    plays = {a.play for a in asks if a.play}
    incentives = {
        name: str(definition.get("incentive", ""))
        for name, definition in Play.objects.filter(name__in=plays).values_list(
            "name", "definition"
        )
    }
    requests: dict[int, ReferenceRequest] = {}
    for offer in Offer.objects.filter(ask_id__in=ids).select_related("request").order_by("pk"):
        requests.setdefault(offer.ask_id, offer.request)
    times: dict[int, list[AskSlot]] = defaultdict(list)
    for slot in AskSlot.objects.open().filter(ask_id__in=ids, starts_at__gt=now):
        times[slot.ask_id].append(slot)
    # The latest call of the advocate for the request each ask answers.
    call_of = dict(
        Offer.objects.filter(ask_id__in=ids, request__calls__contact_id=F("contact_id"))
        .order_by("request__calls__starts_at")
        .values_list("ask_id", "request__calls__id")
    )
    found = ReferenceCall.objects.in_bulk(set(call_of.values()))
    calls = {ask_id: found[call_id] for ask_id, call_id in call_of.items() if call_id in found}
    benefits = benefits_of(asks[0].contact, now.date()) if asks else ""
    return [
        AskCard(
            ask=a,
            what=a.ask_type.description or a.ask_type.name,
            time_needed=a.ask_type.time_needed,
            incentive=incentives.get(a.play, "") or benefits,
            due=a.due_at.date() if a.due_at else None,
            request=requests.get(a.pk),
            times=times.get(a.pk, []),
            call=calls.get(a.pk),
        )
        for a in asks
    ]
