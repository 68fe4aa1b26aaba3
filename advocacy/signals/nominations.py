"""Nominations: someone close to the account (customer success, an account manager) says a
customer is ready to advocate, and why.

A nomination is a `csm_nomination` signal like one imported from a CSV (the `nomination` kind)
or sent to `POST /api/signals`: the plays that start from one (the shipped
`nomination-reference` play) pick it up on their next run, and the engine's rules still decide
whether and what to ask. Written through `record_signals`, the one way signals are stored;
its key names who nominated and when, so the same nomination sent twice at the same moment is
stored once. The web UI's Nominate form, `advocacy nominate` and
`POST /api/contacts/{id}/nominations` all call `nominate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from advocacy.customers.models import Contact
from advocacy.signals.models import Signal, SignalKind
from advocacy.signals.records import SignalRecord
from advocacy.signals.services import record_signals

SOURCE = "nomination"
REASON_MAX = 1000


class NominationRefused(ValueError):
    """A nomination that cannot be recorded, with the reason in words."""


@dataclass(frozen=True)
class Nomination:
    signal: Signal
    created: bool  # False: this nomination was already recorded

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.signal.pk,
            "contact_id": self.signal.contact_id,
            "reason": self.signal.text,
            "nominated_by": self.signal.payload.get("by"),
            "occurred_at": self.signal.occurred_at.isoformat(),
            "created": self.created,
        }


def nominate(contact: Contact, *, reason: str, actor: Any, now: datetime) -> Nomination:
    """Record that `actor` nominates `contact`, for `reason`, at `now`.

    Refused without a reason, and for a person who opted out or left the company: no play may
    ask them, so a nomination would only mislead.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise NominationRefused("say why: a nomination needs a reason")
    if len(reason) > REASON_MAX:
        raise NominationRefused(f"the reason is {len(reason)} characters; at most {REASON_MAX}")
    if contact.opted_out_at is not None:
        raise NominationRefused(
            f"{contact.email} opted out on {contact.opted_out_at:%d %b %Y}; nobody may ask them"
        )
    if contact.left_company_at is not None:
        raise NominationRefused(
            f"{contact.email} left the company on {contact.left_company_at:%d %b %Y}"
        )
    by = actor.get_username() if actor is not None else ""
    key = f"{getattr(actor, 'pk', None) or '-'}:{contact.pk}:{now.isoformat()}"
    record = SignalRecord(
        source=SOURCE,
        key=key,
        kind=SignalKind.CSM_NOMINATION,
        occurred_at=now,
        contact_email=contact.email,
        text=reason,
        payload={"by": by, "reason": reason},
    )
    result = record_signals([record], actor=actor, now=now)
    if result.rejected:
        raise NominationRefused(result.rejected[0].message)
    signal = Signal.objects.get(source=SOURCE, key=key)
    return Nomination(signal, created=result.created == 1)


def nominations_of(contact: Contact) -> list[Signal]:
    """The contact's nominations, newest first (by any way in: this form, an import, the API)."""
    return list(
        Signal.objects.filter(contact=contact, kind=SignalKind.CSM_NOMINATION).order_by(
            "-occurred_at", "-id"
        )
    )
