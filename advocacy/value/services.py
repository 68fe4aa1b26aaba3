"""What people (and the scheduler) do with value moments, in the web UI, the CLI and the API.

    recipients(kind, span, *, account_ids=None) -> QuerySet[Contact]   who gets one
    preview(kind, contact, span) -> Rendered                          as it would go now
    send(kind, span, *, now, actor=None, account_ids=None) -> Sent    write them to the outbox
    set_weekly(contact, on, *, now, actor=None, where)                the weekly opt-in

Who gets which (docs/value-moments.md): the monthly insight and the account's year go to the
account's admins (contacts whose persona is admin); the weekly insight to those who opted in;
the advocate's year to each advocate (an ask opened for them in the year). Nobody who left the
company. The outbox holds the rest (opted out, unsubscribed, erased) at delivery, as for any
email, with the reason shown on the row.

A send writes, in one transaction, one outbox row per recipient and one ValueMoment per row; the
unique (contact, kind, period) drops a second one, so a rerun, or two at once, writes nothing
twice (a row that lost the race is deleted before the transaction ends, so nothing of it goes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from advocacy.customers.models import Contact, Persona
from advocacy.messaging.models import Message, MessageKind
from advocacy.messaging.outbox import queued
from advocacy.messaging.rendering import Rendered, render
from advocacy.messaging.services import preview_link
from advocacy.pipeline.models import Ask
from advocacy.value import periods
from advocacy.value.insights import account_insights, own_activity
from advocacy.value.models import InsightsPreference, MomentKind, PreferenceSource, ValueMoment
from advocacy.value.periods import Span

M = MomentKind
UNIT = {
    M.MONTHLY: periods.MONTH,
    M.WEEKLY: periods.WEEK,
    M.WRAPPED: periods.YEAR,
    M.ACCOUNT_WRAPPED: periods.YEAR,
}
CHUNK = 2_000


class MomentError(Exception):
    """A request about value moments that cannot be done (no such kind, a period not over)."""


def kind_of(code: str) -> MomentKind:
    if code not in M.values:
        raise MomentError(f"no such value moment: {code!r}; one of {', '.join(M.values)}")
    return M(code)


def span_of(kind: str, label: str | None, *, now: datetime) -> Span:
    """The period a label names for `kind`, or the last one over at `now`; refused if it is
    not over yet (its numbers would change)."""
    unit = UNIT[kind_of(kind)]
    if not label:
        return periods.last_complete(unit, now)
    try:
        span = periods.parse(unit, label)
    except periods.PeriodError as exc:
        raise MomentError(str(exc)) from None
    if span.end > now:
        raise MomentError(f"{span.label} is not over yet: its numbers are not final")
    return span


def recipients(
    kind: str, span: Span, *, account_ids: Iterable[int] | None = None
) -> QuerySet[Contact]:
    """Who gets this value moment for `span`: see the module's docstring."""
    people = Contact.objects.filter(
        Q(left_company_at__isnull=True) | Q(left_company_at__gte=span.end)
    )
    if account_ids is not None:
        people = people.filter(account_id__in=list(account_ids))
    kind = kind_of(kind)
    if kind in (M.MONTHLY, M.ACCOUNT_WRAPPED):
        people = people.filter(persona=Persona.ADMIN)
    elif kind == M.WEEKLY:
        people = people.filter(insights_preference__weekly=True)
    else:
        asked = Ask.objects.filter(
            contact=OuterRef("pk"), opened_at__gte=span.start, opened_at__lt=span.end
        )
        people = people.filter(Exists(asked))
    return people.order_by("pk")


def payloads(kind: str, contacts: list[tuple[int, int]], span: Span) -> dict[int, dict[str, Any]]:
    """The payload of each (contact, account) for `kind` and `span`, set-based."""
    kind = kind_of(kind)
    if kind in (M.WRAPPED, M.ACCOUNT_WRAPPED):
        from advocacy.value.wrapped import wrapped_payloads

        return wrapped_payloads(kind, contacts, span)
    by_account = account_insights({a for _, a in contacts}, span)
    own = own_activity([c for c, _ in contacts], span) if kind == M.WEEKLY else {}
    found = {}
    for contact_id, account_id in contacts:
        payload = {"moment": str(kind), **by_account[account_id]}
        if kind == M.WEEKLY:
            payload["own"], payload["own_before"] = own.get(contact_id, (0, 0))
        found[contact_id] = payload
    return found


def draft(kind: str, contact: Contact, span: Span) -> Message:
    """An unsaved outbox row of this value moment for `contact`, to render."""
    payload = payloads(kind, [(contact.pk, contact.account_id)], span)[contact.pk]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
    return Message(
        kind=MessageKind.VALUE,
        contact=contact,
        payload=payload,
        message_id=f"<preview-value-{contact.pk}@{domain}>",
    )


def preview(kind: str, contact: Contact, span: Span) -> Rendered:
    """The email `contact` gets for `span`, rendered now, with a stand-in portal link."""
    return render(draft(kind, contact, span), link=preview_link())


@dataclass(frozen=True)
class Sent:
    kind: str
    period: str
    recipients: int  # who the moment is for
    written: int  # outbox rows written by this send
    already: int  # recipients who had it already (an earlier send)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "period": self.period,
            "recipients": self.recipients,
            "written": self.written,
            "already": self.already,
        }


def send(
    kind: str,
    span: Span,
    *,
    now: datetime,
    actor: Any = None,
    account_ids: Iterable[int] | None = None,
    contact_ids: Iterable[int] | None = None,
) -> Sent:
    """Write this value moment for `span` to the outbox for each recipient who has not had
    it: per chunk, three reads for the numbers and three writes."""
    kind = kind_of(kind)
    who = recipients(kind, span, account_ids=account_ids)
    if contact_ids is not None:
        who = who.filter(pk__in=list(contact_ids))
    had = ValueMoment.objects.filter(contact=OuterRef("pk"), kind=kind, period=span.label)
    total = who.count()
    rows = list(who.exclude(Exists(had)).values_list("pk", "account_id"))
    by = actor if getattr(actor, "pk", None) else None
    written = 0
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        found = payloads(kind, chunk, span)
        with transaction.atomic():
            messages = Message.objects.bulk_create(
                [queued(MessageKind.VALUE, now, contact_id=c, payload=found[c]) for c, _ in chunk]
            )
            ValueMoment.objects.bulk_create(
                [
                    ValueMoment(
                        contact_id=m.contact_id,
                        kind=kind,
                        period=span.label,
                        message=m,
                        created_at=now,
                        created_by=by,
                    )
                    for m in messages
                ],
                ignore_conflicts=True,
            )
            mine = [m.pk for m in messages]
            lost, _ = (
                Message.objects.filter(pk__in=mine)
                .exclude(Exists(ValueMoment.objects.filter(message=OuterRef("pk"))))
                .delete()
            )
            written += len(mine) - lost
    return Sent(str(kind), span.label, total, written, total - written)


def weekly_of(contact: Contact) -> bool:
    return InsightsPreference.objects.filter(contact=contact, weekly=True).exists()


def set_weekly(
    contact: Contact, on: bool, *, now: datetime, actor: Any = None, where: str
) -> InsightsPreference:
    """Record whether `contact` wants the weekly insights email (`where`: portal or staff)."""
    if where not in PreferenceSource.values:
        raise MomentError(f"no such place: {where!r}")
    pref, _ = InsightsPreference.objects.update_or_create(
        contact=contact,
        defaults={
            "weekly": on,
            "set_at": now,
            "set_in": where,
            "set_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    return pref


def moments_of(contact: Contact) -> QuerySet[ValueMoment]:
    """The value moments written to `contact`, newest first, with their outbox rows."""
    return ValueMoment.objects.filter(contact=contact).select_related("message")
