"""The advocate's answers in the portal: accept or decline an ask, and the alternative after.

Each goes through the one service that owns the move: a reference call the desk offered is
answered with `advocacy.references.services.respond` (the request moves with it), any other ask
with `advance_ask` (accept) or `decline_ask` (decline: it opens the play's fallback through
`open_asks`, proposed, caps and exclusions holding). The portal then offers that fallback to the
advocate: one click says yes (the alternative moves to sent, then accepted) or no (cancelled).

No staff user made these moves: the actor is none, and each event's note says it came from the
advocate in the portal. Every answer leaves a notice for the ask's owner (advocacy.pipeline.
notices): on their work queue at once, for the outbox to send on.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from advocacy.customers.models import Contact
from advocacy.engine.pipeline_flow import decline_ask
from advocacy.engine.policy import Policy
from advocacy.pipeline.models import Ask, AskStatus
from advocacy.pipeline.notices import NoticeDraft, NoticeKind, notify
from advocacy.pipeline.services import InvalidTransition, advance_ask
from advocacy.references.models import Offer, OfferStatus
from advocacy.references.services import DeskError, respond

IN_PORTAL = "in the portal"
FALLBACK_PREFIX = "fallback:"
MAX_REASON = 500


class AnswerRefused(Exception):
    """The ask cannot be answered any more (answered already, withdrawn, on hold)."""


def answerable(contact: Contact) -> list[Ask]:
    """Asks sent to the advocate awaiting their answer, not on hold; soonest due first."""
    return list(
        Ask.objects.filter(contact=contact, status=AskStatus.SENT, paused_at__isnull=True)
        .select_related("ask_type")
        .order_by("due_at", "opened_at", "pk")
    )


def alternatives(contact: Contact) -> list[Ask]:
    """Fallbacks of the advocate's declined asks, not yet put to anyone: theirs to take."""
    return list(
        Ask.objects.filter(
            contact=contact,
            status=AskStatus.PROPOSED,
            moment__startswith=FALLBACK_PREFIX,
            paused_at__isnull=True,
        )
        .select_related("ask_type")
        .order_by("opened_at", "pk")
    )


def declined_of(alternatives: list[Ask]) -> dict[int, Ask]:
    """The declined ask each alternative stands in for (one query), by the alternative's id."""
    refs = {a.pk: a.moment.removeprefix(FALLBACK_PREFIX) for a in alternatives}
    wanted = {int(ref) for ref in refs.values() if ref.isdigit()}
    found = Ask.objects.select_related("ask_type").in_bulk(wanted) if wanted else {}
    return {pk: found[int(ref)] for pk, ref in refs.items() if ref.isdigit() and int(ref) in found}


def _who(contact: Contact) -> str:
    return contact.full_name or contact.email


def _notice(ask: Ask, kind: str, text: str) -> NoticeDraft:
    return NoticeDraft(
        key=f"{kind}:{ask.pk}",
        kind=kind,
        contact_id=ask.contact_id,
        ask_id=ask.pk,
        recipient_id=ask.owner_id,
        role=ask.owner_role or "cs",
        text=text,
    )


def _live_offer(ask: Ask) -> Offer | None:
    return (
        Offer.objects.select_related("request", "ask")
        .filter(ask=ask, status=OfferStatus.OFFERED)
        .first()
    )


def _reason_note(what: str, reason: str) -> str:
    reason = " ".join(reason.split())[:MAX_REASON]
    return f"{what} {IN_PORTAL}" + (f": {reason}" if reason else "")


@transaction.atomic
def accept(ask: Ask, *, now: datetime, policy: Policy, note: str = "") -> Ask:
    """The advocate accepts `ask` (sent to them); its owner is told."""
    if ask.status != AskStatus.SENT or ask.paused_at is not None:
        raise AnswerRefused(f"ask {ask.pk} is {ask.get_status_display().lower()}")
    words = _reason_note("accepted by the advocate", note)
    try:
        offer = _live_offer(ask)
        if offer is not None:
            respond(offer, True, actor=None, now=now, policy=policy, note=words)
            ask.refresh_from_db()
        else:
            advance_ask(ask, AskStatus.ACCEPTED, actor=None, now=now, note=words)
    except (InvalidTransition, DeskError) as exc:
        raise AnswerRefused(str(exc)) from None
    name = ask.ask_type.name.lower()
    notify(
        [_notice(ask, NoticeKind.ASK_ACCEPTED, f"{_who(ask.contact)} accepted the {name} ask.")],
        now=now,
    )
    return ask


@transaction.atomic
def decline(ask: Ask, *, now: datetime, policy: Policy, reason: str = "") -> Ask | None:
    """The advocate declines `ask`, no hard feelings; returns the alternative the play offers
    them instead (its fallback, opened proposed), if any."""
    if ask.status != AskStatus.SENT or ask.paused_at is not None:
        raise AnswerRefused(f"ask {ask.pk} is {ask.get_status_display().lower()}")
    words = _reason_note("declined by the advocate", reason)
    try:
        offer = _live_offer(ask)
        if offer is not None:
            respond(offer, False, actor=None, now=now, policy=policy, note=words)
            ask.refresh_from_db()
        else:
            decline_ask(ask, actor=None, now=now, policy=policy, note=words)
    except (InvalidTransition, DeskError) as exc:
        raise AnswerRefused(str(exc)) from None
    alternative = (
        Ask.objects.select_related("ask_type")
        .filter(
            contact_id=ask.contact_id,
            play=ask.play,
            moment=f"{FALLBACK_PREFIX}{ask.pk}",
            status=AskStatus.PROPOSED,
        )
        .first()
    )
    name = ask.ask_type.name.lower()
    said = " ".join(reason.split())[:MAX_REASON]
    text = f"{_who(ask.contact)} declined the {name} ask" + (f": “{said}”." if said else ".")
    if alternative is not None:
        text += f" They were offered the alternative: {alternative.ask_type.name}."
    notify([_notice(ask, NoticeKind.ASK_DECLINED, text)], now=now)
    return alternative


@transaction.atomic
def answer_alternative(alternative: Ask, yes: bool, *, now: datetime) -> Ask:
    """The advocate takes the alternative (it goes to sent, then accepted) or says no thanks
    (cancelled); its owner is told either way."""
    if (
        alternative.status != AskStatus.PROPOSED
        or not alternative.moment.startswith(FALLBACK_PREFIX)
        or alternative.paused_at is not None
    ):
        raise AnswerRefused(f"ask {alternative.pk} is no alternative awaiting an answer")
    try:
        if yes:
            advance_ask(
                alternative,
                AskStatus.SENT,
                actor=None,
                now=now,
                note=f"offered to the advocate {IN_PORTAL} after they declined",
            )
            advance_ask(
                alternative,
                AskStatus.ACCEPTED,
                actor=None,
                now=now,
                note=f"accepted by the advocate {IN_PORTAL}",
            )
        else:
            advance_ask(
                alternative,
                AskStatus.CANCELLED,
                actor=None,
                now=now,
                note=f"the advocate said no thanks to it {IN_PORTAL}",
            )
    except InvalidTransition as exc:
        raise AnswerRefused(str(exc)) from None
    name = alternative.ask_type.name.lower()
    who = _who(alternative.contact)
    kind, text = (
        (NoticeKind.ALTERNATIVE_ACCEPTED, f"{who} said yes to the {name} instead.")
        if yes
        else (NoticeKind.ALTERNATIVE_DECLINED, f"{who} said no thanks to the {name} too.")
    )
    notify([_notice(alternative, kind, text)], now=now)
    return alternative
