"""Ask many contacts by hand at once: the contacts list's "Ask the selected", `advocacy asks
open --email … --email …` and `POST /api/asks/bulk`.

The same way in as one manual ask (`open_manual_ask`): the rules refuse whom they refuse, and
every ask that passes goes through `open_asks`, where the tap caps hold. Nothing is overridden
in bulk. Each contact that is not asked gets its own refusal with the engine's reason code and
words, so the person who selected fifty contacts sees why the seven were left out. A fixed
number of queries whatever the number selected: one for the rules of all of them, the steps of
`open_asks`, and a few to explain the caps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

from advocacy.customers.models import Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.policy import Policy
from advocacy.engine.services import cap_refusals, refusals_of
from advocacy.pipeline.models import Ask, AskType

BULK_MAX = 500  # contacts per bulk ask: a page of the contacts list is 50


class TooMany(ValueError):
    """More contacts than one bulk ask takes."""


@dataclass(frozen=True)
class Refused:
    """A contact not asked: the reason code (advocacy.engine.rules.REASONS) and its words."""

    contact_id: int
    email: str
    code: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "contact_id": self.contact_id,
            "email": self.email,
            "code": self.code,
            "reason": self.reason,
        }


@dataclass
class BulkAskResult:
    ask_type: AskType
    opened: list[Ask] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ask_type": self.ask_type.code,
            "opened": [
                {"id": a.pk, "contact_id": a.contact_id, "status": a.status} for a in self.opened
            ],
            "refused": [r.as_dict() for r in self.refused],
        }


@transaction.atomic
def ask_many(
    contacts: Sequence[Contact],
    ask_type: AskType,
    *,
    now: datetime,
    actor: Any,
    policy: Policy,
    note: str = "",
) -> BulkAskResult:
    """Open an ask of `ask_type` by hand for each of `contacts` the rules and caps allow,
    owned by `actor`; say for each of the others why not. A contact named twice counts once."""
    unique = list({c.pk: c for c in contacts}.values())
    if len(unique) > BULK_MAX:
        raise TooMany(f"at most {BULK_MAX} contacts in one bulk ask; {len(unique)} given")
    result = BulkAskResult(ask_type)
    if not unique:
        return result
    by_rules = refusals_of([c.pk for c in unique], ask_type, now=now, policy=policy)
    passing: list[Contact] = []
    for contact in unique:
        refused = by_rules.get(contact.pk, [])
        if refused:
            codes = ", ".join(code for code, _ in refused)
            words = "; ".join(w for _, w in refused)
            result.refused.append(Refused(contact.pk, contact.email, codes, words))
        else:
            passing.append(contact)
    owner_id = getattr(actor, "pk", None)
    moment = f"manual:{now.isoformat()}"
    requests = [AskRequest(c.pk, ask_type, moment, owner_id=owner_id, note=note) for c in passing]
    opened = open_asks(requests, now=now, actor=actor, policy=policy)
    result.opened = opened.opened
    asked = {a.contact_id for a in result.opened}
    left = [c for c in passing if c.pk not in asked]
    if left:
        why = cap_refusals(left, ask_type, now=now, policy=policy)
        for contact in left:
            words, code = why[contact.pk]
            result.refused.append(Refused(contact.pk, contact.email, code, words))
    order = {c.pk: i for i, c in enumerate(unique)}
    result.refused.sort(key=lambda r: order[r.contact_id])
    return result
