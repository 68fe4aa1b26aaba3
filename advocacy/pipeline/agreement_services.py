"""Agreements and opt-out: record what an advocate agreed to, and stop everything when they
withdraw.

`opt_out` is the one way an opt-out is recorded by a person: the contact's `opted_out_at`, the
end of their agreement (status opted out) and the cancellation of every open ask (each an event)
happen in one transaction, so nobody ever sees an opted-out advocate with an ask still open.
Opt-outs that arrive otherwise (a contact import, an opt-out signal) are caught by the guard job
(`advocacy.engine.guards`), which does the same set-based.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction

from advocacy.customers.models import Contact
from advocacy.pipeline.agreements import CURRENT_STATUSES, Agreement, AgreementStatus
from advocacy.pipeline.models import Ask, AskStatus, AskType
from advocacy.pipeline.services import advance_asks

EDITABLE = ("scope", "benefits", "starts_on", "ends_on", "signed_on", "status")


class AgreementError(Exception):
    """An agreement that cannot be written as asked; `field` names the culprit, if one."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _check(values: dict[str, Any], contact: Contact) -> None:
    scope = values.get("scope", [])
    if not isinstance(scope, list) or not all(isinstance(c, str) for c in scope):
        raise AgreementError("scope must be a list of ask type codes", "scope")
    known = set(AskType.objects.filter(code__in=scope, active=True).values_list("code", flat=True))
    unknown = [c for c in scope if c not in known]
    if unknown:
        raise AgreementError(f"unknown ask type(s) in scope: {', '.join(unknown)}", "scope")
    if len(set(scope)) != len(scope):
        raise AgreementError("scope names an ask type twice", "scope")
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts is None:
        raise AgreementError("the term needs a start date", "starts_on")
    if ends is not None and ends < starts:
        raise AgreementError(f"the term ends ({ends}) before it starts ({starts})", "ends_on")
    status = values.get("status", AgreementStatus.DRAFT)
    if status not in CURRENT_STATUSES:
        raise AgreementError(
            f"status must be draft or active; end an agreement with `end` or opt the "
            f"advocate out, found {status!r}",
            "status",
        )
    if status == AgreementStatus.ACTIVE and values.get("signed_on") is None:
        raise AgreementError("an active agreement needs the date it was signed", "signed_on")
    if status == AgreementStatus.ACTIVE and contact.opted_out_at is not None:
        raise AgreementError(f"{contact.email} opted out; no agreement can be active", "status")


def create_agreement(
    contact: Contact,
    *,
    scope: list[str],
    benefits: str = "",
    starts_on: date,
    ends_on: date | None = None,
    signed_on: date | None = None,
    status: str = AgreementStatus.DRAFT,
    actor: Any,
    now: datetime,
) -> Agreement:
    """Record a draft (or signed, active) agreement; one current agreement per contact."""
    values = {
        "scope": scope,
        "benefits": benefits.strip(),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "signed_on": signed_on,
        "status": status,
    }
    _check(values, contact)
    try:
        with transaction.atomic():
            return Agreement.objects.create(
                contact=contact,
                created_by_id=getattr(actor, "pk", None),
                created_at=now,
                updated_at=now,
                **values,
            )
    except IntegrityError:
        current = Agreement.objects.current().filter(contact=contact).first()
        which = f" (agreement {current.pk}, {current.status})" if current else ""
        raise AgreementError(
            f"{contact.email} already has a current agreement{which}: edit or end it first",
            "contact",
        ) from None


@transaction.atomic
def update_agreement(
    agreement: Agreement, *, actor: Any, now: datetime, **changes: Any
) -> Agreement:
    """Change a draft or active agreement (signing it: status active with a signed date)."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise AgreementError(f"cannot change {', '.join(unknown)}; editable: {', '.join(EDITABLE)}")
    locked = Agreement.objects.select_for_update().select_related("contact").get(pk=agreement.pk)
    if locked.status not in CURRENT_STATUSES:
        raise AgreementError(f"agreement {locked.pk} is {locked.status}: it can no longer change")
    values = {name: getattr(locked, name) for name in EDITABLE}
    values.update(changes)
    if "benefits" in changes:
        values["benefits"] = str(values["benefits"]).strip()
    _check(values, locked.contact)
    Agreement.objects.filter(pk=locked.pk).update(updated_at=now, **values)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def end_agreement(
    agreement: Agreement, *, actor: Any, now: datetime, reason: str = ""
) -> Agreement:
    """End a current agreement (its term is over, or both sides agreed); asks stay as they are."""
    changed = Agreement.objects.filter(pk=agreement.pk, status__in=CURRENT_STATUSES).update(
        status=AgreementStatus.ENDED, ended_at=now, end_reason=reason.strip()[:300], updated_at=now
    )
    if changed != 1:
        status = Agreement.objects.filter(pk=agreement.pk).values_list("status", flat=True).get()
        raise AgreementError(f"agreement {agreement.pk} is {status} already")
    agreement.refresh_from_db()
    return agreement


@dataclass
class OptOutResult:
    contact: Contact
    opted_out_at: datetime
    already: bool = False  # opted out before: the earlier date is kept
    cancelled: list[int] = field(default_factory=list)
    agreements_ended: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "contact_id": self.contact.pk,
            "email": self.contact.email,
            "opted_out_at": self.opted_out_at.isoformat(),
            "already_opted_out": self.already,
            "cancelled_asks": self.cancelled,
            "agreements_ended": self.agreements_ended,
        }


@transaction.atomic
def opt_out(contact: Contact, *, now: datetime, actor: Any, reason: str = "") -> OptOutResult:
    """Record the advocate's opt-out and stop everything at once, in one transaction.

    Every open ask is cancelled through the pipeline (an event each, paused ones too), the
    current agreement ends as opted out; plays never ask an opted-out contact again (the
    `opted out` exclusion). Opting out twice keeps the first date and changes nothing else.
    """
    reason = reason.strip()[:300]
    first = Contact.objects.filter(pk=contact.pk, opted_out_at__isnull=True).update(
        opted_out_at=now, updated_at=now
    )
    contact.refresh_from_db(fields=["opted_out_at", "updated_at"])
    assert contact.opted_out_at is not None
    ended = list(Agreement.objects.current().filter(contact=contact).values_list("pk", flat=True))
    Agreement.objects.filter(pk__in=ended).update(
        status=AgreementStatus.OPTED_OUT,
        ended_at=now,
        end_reason=f"opted out: {reason}" if reason else "opted out",
        updated_at=now,
    )
    open_ids = Ask.objects.open().filter(contact=contact).values_list("pk", flat=True)
    note = f"opted out: {reason}" if reason else "opted out"
    moved = advance_asks(list(open_ids), AskStatus.CANCELLED, actor=actor, now=now, note=note)
    return OptOutResult(contact, contact.opted_out_at, not first, moved.moved, ended)
