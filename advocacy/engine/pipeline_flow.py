"""Moves that need the engine: a decline offers the play's fallback ask.

The status change itself is `advocacy.pipeline.services.advance_ask` (the one place); the
fallback is opened through `open_asks` like any ask, so exclusions and tap caps hold. Every
interface (CLI, API, web) moves asks through `move_ask`, so declining opens the fallback
whichever way it is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.models import Play
from advocacy.engine.policy import Policy
from advocacy.engine.services import refusals_for
from advocacy.pipeline.models import Ask, AskStatus, AskType
from advocacy.pipeline.services import advance_ask


class FallbackOutcome:
    """What happened to the fallback of a declined ask."""

    OPENED = "opened"
    NONE = "none"  # the ask was not opened by a play, or its play names no fallback
    CAPPED = "capped"  # a tap cap (or an identical ask already open) kept it back
    EXCLUDED = "excluded"  # an exclusion applies to the contact


@dataclass
class MoveResult:
    ask: Ask
    fallback: Ask | None = None
    fallback_outcome: str = FallbackOutcome.NONE
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.ask.pk,
            "status": self.ask.status,
            "fallback_outcome": self.fallback_outcome,
            "fallback_id": self.fallback.pk if self.fallback else None,
            "detail": self.detail,
        }


def _fallback_type(ask: Ask) -> tuple[Play | None, AskType | None]:
    play = Play.objects.filter(name=ask.play).first() if ask.play else None
    code = play.definition.get("fallback") if play else None
    ask_type = AskType.objects.filter(code=code, active=True).first() if code else None
    return play, ask_type


@transaction.atomic
def decline_ask(
    ask: Ask, *, actor: Any, now: datetime, policy: Policy, note: str = ""
) -> MoveResult:
    """Record the advocate's decline, then offer the play's fallback ask (proposed, for review).

    The fallback is unique per declined ask (moment `fallback:<id>`), owned like the declined
    ask, to be sent within the play's timing and answered within its SLA; exclusions and tap
    caps hold as for any ask.
    """
    advance_ask(ask, AskStatus.DECLINED, actor=actor, now=now, note=note)
    play, ask_type = _fallback_type(ask)
    if play is None or ask_type is None:
        return MoveResult(ask, detail="no fallback: the play names none")
    refused = refusals_for(ask.contact_id, ask_type, now=now, policy=policy)
    if refused:
        names = "; ".join(words for _, words in refused)
        detail = f"fallback {ask_type.code} not offered: {names}"
        return MoveResult(ask, fallback_outcome=FallbackOutcome.EXCLUDED, detail=detail)
    d = play.definition
    sla_days = d.get("sla", {}).get("respond_within_days")
    reminder = d.get("timing", {}).get("reminder_after_days")
    within_hours = d.get("timing", {}).get("within_hours")
    request = AskRequest(
        contact_id=ask.contact_id,
        ask_type=ask_type,
        moment=f"fallback:{ask.pk}",
        play=ask.play,
        trigger_signal_id=ask.trigger_signal_id,
        status=AskStatus.PROPOSED,
        owner_id=ask.owner_id,
        owner_role=ask.owner_role,
        channel=ask.channel,
        due_at=now + timedelta(days=sla_days) if sla_days else None,
        follow_up_at=now + timedelta(days=reminder) if reminder else None,
        send_by=now + timedelta(hours=within_hours) if within_hours else None,
        continues=ask.opened_at,
    )
    opened = open_asks([request], now=now, actor=actor, policy=policy)
    if not opened.opened:
        effort = ask_type.get_effort_display().lower()
        detail = f"fallback {ask_type.code} not offered: the {effort}-effort tap cap is in force"
        return MoveResult(ask, fallback_outcome=FallbackOutcome.CAPPED, detail=detail)
    fallback = opened.opened[0]
    detail = f"fallback {ask_type.code} offered as ask {fallback.pk}"
    return MoveResult(ask, fallback, FallbackOutcome.OPENED, detail)


def move_ask(
    ask: Ask, to_status: str, *, actor: Any, now: datetime, policy: Policy, note: str = ""
) -> MoveResult:
    """Move `ask` to `to_status` (else InvalidTransition); a decline offers the fallback."""
    if to_status == AskStatus.DECLINED:
        return decline_ask(ask, actor=actor, now=now, policy=policy, note=note)
    return MoveResult(advance_ask(ask, to_status, actor=actor, now=now, note=note))
