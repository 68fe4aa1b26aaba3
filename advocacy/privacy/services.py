"""A person's data: everything held about one contact as one document, and their erasure.

    export_person(contact, *, actor, via, now) -> dict       # GDPR article 15, recorded
    erase_person(contact, *, actor, via, now, reason) -> Erasure   # article 17, recorded
    find_person(email) -> Contact                            # PrivacyError naming why not
    holdings(contact) -> dict[str, int]                      # what an erasure would delete

The export's shape is `advocacy.person-export` version 1 (docs/privacy.md lists every key); it
is JSON-ready (times in ISO 8601, UTC). It costs a constant number of queries whatever the
person holds.

The erasure runs in one transaction: the requests this person's live offer or call held go back
to open (as a decline or a no-show leaves them); their mentions in earlier audit entries, in
rejected import rows and in stored API answers are blanked or dropped; the contact is deleted
with everything that hangs off it (each model's `on_delete`: identities, signals, profile,
preferences, tap claims, decisions, asks with their events, steps and the call times offered,
agreements, content with its consents, uses and reminders, reference offers and calls, the pool
row, the portal's notices and the links they used, the outbox's messages and product events,
with those that went to their address on someone else's behalf); and only keyed
hashes of the email and of each external identity stay, on the suppression list, so the person
is never re-imported. Set-based: a constant number of statements, whatever the person held.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.db.models import F, JSONField, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Replace

from advocacy.content.models import Asset
from advocacy.core.models import IdempotencyRecord
from advocacy.customers.holdings import registered
from advocacy.customers.models import Contact
from advocacy.customers.suppression import digest_email, digest_identity, refusal, suppress
from advocacy.customers.suppression import suppressed as suppressed_emails
from advocacy.engine.models import (
    AskTypePreference,
    ContactPreference,
    ContactProfile,
    Decision,
    TapClaim,
)
from advocacy.people import audit
from advocacy.people.models import AuditEntry
from advocacy.pipeline.agreements import Agreement
from advocacy.pipeline.models import Ask
from advocacy.pipeline.notices import Notice
from advocacy.pipeline.preferences import AdvocatePreferences
from advocacy.references.models import Offer as ReferenceOffer
from advocacy.references.models import (
    OfferStatus,
    ReferenceAdvocate,
    ReferenceCall,
    ReferenceRequest,
    RequestStatus,
)
from advocacy.signals.models import ImportRowError, Signal

FORMAT = "advocacy.person-export"
VERSION = 1
ERASED = "[erased]"  # what a blanked email or name reads as
MAX_REASON = 300


class PrivacyError(ValueError):
    """An export or erasure that cannot be done; the message says why and what is expected."""


class PersonGone(PrivacyError):
    """The contact no longer exists (erased or deleted meanwhile)."""


def find_person(email: str) -> Contact:
    """The contact with this email; PrivacyError naming why not (erased already, or unknown)."""
    wanted = email.strip().lower()
    contact = Contact.objects.select_related("account").filter(email=wanted).first()
    if contact is not None:
        return contact
    gone = suppressed_emails([wanted]).get(wanted)
    if gone is not None:
        raise PrivacyError(f"no contact with email {wanted!r}: {refusal(gone)}")
    raise PrivacyError(f"no contact with email {wanted!r}")


# --- export ---------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: _value(getattr(obj, name)) for name in names}


def _who(user: Any) -> str | None:
    return None if user is None else user.get_username()


def _records_of(contact: Contact) -> list[str]:
    """The audit targets of the person and of their records ("contact 7", "ask 12", …)."""
    targets = [f"contact {contact.pk}"]
    for label, qs in (
        ("ask", Ask.objects.filter(contact=contact)),
        ("asset", Asset.objects.filter(contact=contact)),
        ("agreement", Agreement.objects.filter(contact=contact)),
        ("offer", ReferenceOffer.objects.filter(contact=contact)),
        ("call", ReferenceCall.objects.filter(contact=contact)),
    ):
        targets += [f"{label} {pk}" for pk in qs.values_list("pk", flat=True)]
    return targets


def naming(contact: Contact, targets: list[str]) -> QuerySet[AuditEntry]:
    """The audit entries about the person or their records, or that carry their email."""
    email = contact.email
    return AuditEntry.objects.annotate(detail_text=Cast("detail", TextField())).filter(
        Q(target__in=targets)
        | Q(target__icontains=email)
        | Q(summary__icontains=email)
        | Q(detail_text__icontains=email)
    )


CONTACT_FIELDS = ("id", "email", "first_name", "last_name", "title", "persona", "phone",
                  "timezone", "left_company_at", "opted_out_at", "created_at",
                  "updated_at")  # fmt: skip
SIGNAL_FIELDS = ("id", "source", "key", "kind", "occurred_at", "value", "text", "payload",
                 "received_at")  # fmt: skip
PROFILE_FIELDS = ("as_of", "nps", "nps_at", "health", "open_tickets", "last_activity_at",
                  "activities_12m", "stage", "rung")  # fmt: skip
DECISION_FIELDS = ("moment", "outcome", "code", "reasons", "ask_id", "decided_at")
ASK_FIELDS = ("id", "play", "moment", "status", "owner_role", "channel", "opened_at", "send_by",
              "sent_at", "due_at", "follow_up_at", "escalated_at", "paused_at", "paused_reason",
              "paused_by", "updated_at")  # fmt: skip
EVENT_FIELDS = ("from_status", "to_status", "note", "at")
STEP_FIELDS = ("position", "title", "owner_role", "done_at", "note")
AGREEMENT_FIELDS = ("id", "status", "scope", "benefits", "starts_on", "ends_on", "signed_on",
                    "ended_at", "end_reason", "created_at", "updated_at")  # fmt: skip
ASSET_FIELDS = ("id", "kind", "status", "title", "ask_id", "body", "url", "headline",
                "overview", "challenge", "solution", "results", "quote", "look_ahead",
                "consent_expires_at", "created_at", "updated_at")  # fmt: skip
CONSENT_FIELDS = ("scopes", "granted_at", "expires_at", "recorded_at", "note")
USE_FIELDS = ("channel", "where", "needs", "outcome", "reason", "at", "note")
REMINDER_FIELDS = ("expires_at", "raised_at", "resolved_at", "resolution")
OFFER_FIELDS = ("id", "request_id", "ask_id", "status", "offered_at", "answered_at", "note")
CALL_FIELDS = ("id", "uid", "starts_at", "duration_minutes", "outcome", "rating", "notes",
               "created_at", "updated_at")  # fmt: skip
POOL_FIELDS = ("ready", "quiet_until", "next_allowed_at", "last_tapped_at", "calls_completed",
               "rating_sum", "rating_count", "declines", "standing", "refreshed_at")  # fmt: skip
AUDIT_FIELDS = ("at", "actor_name", "via", "action", "target", "summary", "detail")
SLOT_FIELDS = ("starts_at", "duration_minutes", "offered_at", "chosen_at")
NOTICE_FIELDS = ("kind", "ask_id", "text", "at", "delivered_at")


def person_document(contact: Contact, *, now: datetime) -> dict[str, Any]:
    """Everything held about `contact`, as one JSON-ready document (see the module docstring)."""
    contact = Contact.objects.select_related("account").get(pk=contact.pk)
    account = contact.account
    profile = ContactProfile.objects.filter(contact=contact).first()
    pool = ReferenceAdvocate.objects.filter(contact=contact).first()
    asks = (
        Ask.objects.filter(contact=contact)
        .select_related("ask_type", "owner", "escalated_to")
        .prefetch_related("events__actor", "steps__done_by", "cap_overrides__actor", "slots")
        .order_by("opened_at", "id")
    )
    reach = AdvocatePreferences.objects.filter(contact=contact).first()
    assets = (
        Asset.objects.filter(contact=contact)
        .select_related("account", "created_by")
        .prefetch_related("events__actor", "consents__recorded_by", "uses__used_by")
        .prefetch_related("repermissions")
        .order_by("created_at", "id")
    )
    offers = (
        ReferenceOffer.objects.filter(contact=contact)
        .select_related("request", "offered_by")
        .order_by("offered_at", "id")
    )
    calls = (
        ReferenceCall.objects.filter(contact=contact)
        .select_related("organizer")
        .prefetch_related("requests")
        .order_by("starts_at", "id")
    )
    entries = naming(contact, _records_of(contact)).order_by("at", "id")
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _value(now),
        "contact": _row(contact, CONTACT_FIELDS),
        "identities": [
            {"source": s, "external_id": e}
            for s, e in contact.identities.order_by("source", "external_id").values_list(
                "source", "external_id"
            )
        ],
        "account": {"id": account.pk, "name": account.name, "domain": account.domain},
        "signals": [
            _row(s, SIGNAL_FIELDS)
            for s in Signal.objects.filter(contact=contact).order_by("occurred_at", "id")
        ],
        "profile": None
        if profile is None
        else {**_row(profile, PROFILE_FIELDS), "ready": profile.ready_codes},
        "preferences": {
            "efforts": [
                _row(p, ("effort", "min_days_between", "updated_at"))
                for p in ContactPreference.objects.filter(contact=contact).order_by("effort")
            ],
            "ask_types": [
                {"ask_type": p.ask_type.code, **_row(p, ("willing", "max_asks", "updated_at"))}
                for p in AskTypePreference.objects.filter(contact=contact)
                .select_related("ask_type")
                .order_by("ask_type__code")
            ],
            # A list like the other preferences (the API's schema says so): none, or the one row.
            "reach": [] if reach is None else [_row(reach, ("channels", "topics", "updated_at"))],
        },
        "tap_claims": [
            _row(t, ("effort", "last_tapped_at", "next_allowed_at"))
            for t in TapClaim.objects.filter(contact=contact).order_by("effort")
        ],
        "decisions": [
            {"play": d.play.name, **_row(d, DECISION_FIELDS)}
            for d in Decision.objects.filter(contact=contact)
            .select_related("play")
            .order_by("decided_at", "id")
        ],
        "asks": [
            {
                **_row(a, ASK_FIELDS),
                "ask_type": a.ask_type.code,
                "owner": _who(a.owner),
                "escalated_to": _who(a.escalated_to),
                "events": [
                    {**_row(e, EVENT_FIELDS), "actor": _who(e.actor)} for e in a.events.all()
                ],
                "steps": [
                    {**_row(s, STEP_FIELDS), "done_by": _who(s.done_by)} for s in a.steps.all()
                ],
                "cap_overrides": [
                    {"actor": _who(o.actor), "reason": o.reason, "at": _value(o.at)}
                    for o in a.cap_overrides.all()
                ],
                "times_offered": [_row(t, SLOT_FIELDS) for t in a.slots.all()],
            }
            for a in asks
        ],
        "notices": [
            _row(n, NOTICE_FIELDS)
            for n in Notice.objects.filter(contact=contact).order_by("at", "id")
        ],
        "agreements": [
            {**_row(g, AGREEMENT_FIELDS), "created_by": _who(g.created_by)}
            for g in Agreement.objects.filter(contact=contact)
            .select_related("created_by")
            .order_by("starts_on", "id")
        ],
        "content": [
            {
                **_row(a, ASSET_FIELDS),
                "account": a.account.name,
                "scopes": a.scopes,
                "created_by": _who(a.created_by),
                "events": [
                    {**_row(e, EVENT_FIELDS), "actor": _who(e.actor)} for e in a.events.all()
                ],
                "consents": [
                    {**_row(c, CONSENT_FIELDS), "recorded_by": _who(c.recorded_by)}
                    for c in a.consents.all()
                ],
                "uses": [
                    {**_row(u, USE_FIELDS), "used_by": _who(u.used_by)}
                    for u in sorted(a.uses.all(), key=lambda u: (u.at, u.pk))
                ],
                "repermissions": [_row(r, REMINDER_FIELDS) for r in a.repermissions.all()],
            }
            for a in assets
        ],
        "references": {
            "offers": [
                {
                    **_row(o, OFFER_FIELDS),
                    "opportunity": o.request.opportunity,
                    "prospect_company": o.request.prospect_company,
                    "offered_by": _who(o.offered_by),
                }
                for o in offers
            ],
            "calls": [
                {
                    **_row(c, CALL_FIELDS),
                    "organizer": _who(c.organizer),
                    "request_ids": sorted(r.pk for r in c.requests.all()),
                }
                for c in calls
            ],
            "pool": None if pool is None else _row(pool, POOL_FIELDS),
        },
        # What the apps above hold (the outbox's messages and product events), through the
        # registry they fill: this app may not import them (advocacy.customers.holdings).
        **{h.key: h.export(contact) for h in registered()},
        "audit": [_row(e, AUDIT_FIELDS) for e in entries],
    }


SECTIONS = ("identities", "signals", "decisions", "asks", "agreements", "content", "audit")


def export_person(contact: Contact, *, actor: Any, via: str, now: datetime) -> dict[str, Any]:
    """The person's document (`person_document`), the export recorded in the audit log."""
    document = person_document(contact, now=now)
    counts = {name: len(document[name]) for name in SECTIONS}
    references = document["references"]
    counts.update(offers=len(references["offers"]), calls=len(references["calls"]))
    counts.update({h.key: len(document[h.key]) for h in registered()})
    audit.record(
        actor=actor,
        action="privacy.export",
        via=via,
        now=now,
        target=f"contact {contact.pk}",
        summary=f"exported the data held about contact {contact.pk}",
        detail={"format": FORMAT, "version": VERSION, "counts": counts},
    )
    return document


def holdings(contact: Contact) -> dict[str, int]:
    """How much is held about the person, by kind: what an erasure would delete (a query each)."""
    return {
        "Signals": Signal.objects.filter(contact=contact).count(),
        "Asks": Ask.objects.filter(contact=contact).count(),
        "Agreements": Agreement.objects.filter(contact=contact).count(),
        "Content assets": Asset.objects.filter(contact=contact).count(),
        "Reference offers": ReferenceOffer.objects.filter(contact=contact).count(),
        "Reference calls": ReferenceCall.objects.filter(contact=contact).count(),
        "Play decisions": Decision.objects.filter(contact=contact).count(),
        **{h.label: h.count(contact) for h in registered()},
    }


# --- erasure --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    """What an erasure did; nothing in it names the person except by keyed hash."""

    contact_id: int
    erased_at: datetime
    email_digest: str
    identity_digests: tuple[str, ...]
    deleted: dict[str, int] = field(default_factory=dict)  # model label → rows
    requests_reopened: tuple[int, ...] = ()
    audit_entries_blanked: int = 0
    import_errors_blanked: int = 0
    api_answers_dropped: int = 0

    @property
    def total_deleted(self) -> int:
        return sum(self.deleted.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "contact_id": self.contact_id,
            "erased_at": self.erased_at.isoformat(),
            "email_hash": self.email_digest,
            "identity_hashes": list(self.identity_digests),
            "deleted": dict(self.deleted),
            "requests_reopened": list(self.requests_reopened),
            "audit_entries_blanked": self.audit_entries_blanked,
            "import_errors_blanked": self.import_errors_blanked,
            "api_answers_dropped": self.api_answers_dropped,
        }


def _texts(contact: Contact) -> list[str]:
    """What to blank: the email, and the full name when it is long enough to be theirs."""
    texts = [contact.email]
    if len(contact.full_name) >= 4:
        texts.append(contact.full_name)
    return texts


def _json_forms(text: str) -> list[str]:
    """How `text` reads inside stored JSON: escaped as SQLite keeps it, and as jsonb prints it."""
    return list(dict.fromkeys((json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1])))


def _replaced(expression: Any, texts: Iterable[str]) -> Any:
    for text in texts:
        expression = Replace(expression, Value(text), Value(ERASED))
    return expression


def _blank_audit(contact: Contact, targets: list[str]) -> int:
    """Blank the email and name in the entries about the person: one UPDATE."""
    texts = _texts(contact)
    in_json = [form for text in texts for form in _json_forms(text)]
    detail = Cast(_replaced(Cast(F("detail"), TextField()), in_json), JSONField())
    ids = list(naming(contact, targets).values_list("pk", flat=True))
    return AuditEntry.objects.filter(pk__in=ids).update(
        target=_replaced(F("target"), texts),
        summary=_replaced(F("summary"), texts),
        detail=detail,
    )


def _blank_import_errors(contact: Contact) -> int:
    """Blank the email in rejected import rows (their cell and their message): one UPDATE."""
    email = contact.email
    return ImportRowError.objects.filter(
        Q(found__icontains=email) | Q(message__icontains=email)
    ).update(found=_replaced(F("found"), [email]), message=_replaced(F("message"), [email]))


def _drop_api_answers(contact: Contact) -> int:
    """Drop the stored answers of idempotent API writes that carry the email: one DELETE.

    A replay of such a request runs it again, and a contact upsert is then refused.
    """
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    body = connection.ops.quote_name("response_body")
    test = (
        f"position(%s::bytea in {body}) > 0"
        if connection.vendor == "postgresql"
        else f"instr({body}, %s) > 0"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {test}", [contact.email.encode()])
        return max(cursor.rowcount, 0)


def _reopen_requests(contact: Contact, now: datetime) -> list[int]:
    """Requests held by the person's live offer or call go back to open, unfilled."""
    held = ReferenceRequest.objects.filter(
        status__in=[RequestStatus.OFFERED, RequestStatus.SCHEDULED],
        offers__contact=contact,
        offers__status__in=[OfferStatus.OFFERED, OfferStatus.ACCEPTED],
    )
    ids = sorted(set(held.values_list("pk", flat=True)))
    ReferenceRequest.objects.filter(pk__in=ids).update(
        status=RequestStatus.OPEN, filled_at=None, updated_at=now
    )
    return ids


def _delete_signals(contact: Contact) -> int:
    """Delete the person's signals in one statement, after clearing what points at them.

    The asks and decisions a signal triggered keep their row (SET_NULL): one UPDATE each, by
    a semi-join on the person's signals, rather than one per hundred signals by the ORM's
    collector, each of which would read the decision table, which has no index on its trigger.
    A relation to signals that is not SET_NULL leaves the work to the collector.
    """
    own = Signal.objects.filter(contact=contact)
    relations = Signal._meta.related_objects
    if any(r.on_delete is not models.SET_NULL for r in relations):
        return own.delete()[1].get(Signal._meta.label, 0)
    for relation in relations:
        name = relation.field.name
        related = relation.related_model._base_manager.filter(**{f"{name}__in": own.values("pk")})
        related.update(**{name: None})
    table = connection.ops.quote_name(Signal._meta.db_table)
    column = connection.ops.quote_name(Signal._meta.get_field("contact").column)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [contact.pk])
        return max(cursor.rowcount, 0)


def _clean_reason(reason: str, contact: Contact) -> str:
    text = " ".join(reason.split())
    if not text:
        raise PrivacyError(
            "a reason is required: the request this erasure answers "
            "(for example 'erasure requested by email on 2026-06-01')"
        )
    if len(text) > MAX_REASON:
        raise PrivacyError(f"the reason is {len(text)} characters: expected at most {MAX_REASON}")
    for mention in _texts(contact):
        text = re.sub(re.escape(mention), ERASED, text, flags=re.IGNORECASE)
    return text


def erase_person(contact: Contact, *, actor: Any, via: str, now: datetime, reason: str) -> Erasure:
    """Delete the person and everything personal hanging off them; keep only keyed hashes."""
    reason = _clean_reason(reason, contact)
    with transaction.atomic():
        locked = Contact.objects.select_for_update().filter(pk=contact.pk).first()
        if locked is None:
            raise PersonGone(f"contact {contact.pk} no longer exists: it was erased or deleted")
        contact = locked
        identities = list(contact.identities.values_list("source", "external_id"))
        targets = _records_of(contact)
        reopened = _reopen_requests(contact, now)
        blanked = _blank_audit(contact, targets)
        import_errors = _blank_import_errors(contact)
        answers = _drop_api_answers(contact)
        signals = _delete_signals(contact)
        elsewhere: dict[str, int] = {}
        for holding in registered():
            for label, n in holding.erase(contact, now).items():
                elsewhere[label] = elsewhere.get(label, 0) + n
        _, deleted = Contact.objects.filter(pk=contact.pk).delete()
        deleted = {**deleted, Signal._meta.label: signals}
        for label, n in elsewhere.items():
            deleted[label] = deleted.get(label, 0) + n
        suppress([contact.email], identities, now=now)
        done = Erasure(
            contact_id=contact.pk,
            erased_at=now,
            email_digest=digest_email(contact.email),
            identity_digests=tuple(digest_identity(s, e) for s, e in sorted(identities)),
            deleted={label: n for label, n in sorted(deleted.items()) if n},
            requests_reopened=tuple(reopened),
            audit_entries_blanked=blanked,
            import_errors_blanked=import_errors,
            api_answers_dropped=answers,
        )
        audit.record(
            actor=actor,
            action="privacy.erase",
            via=via,
            now=now,
            target=f"contact {done.contact_id}",
            summary=(
                f"erased contact {done.contact_id} on request: "
                f"{done.total_deleted} record(s) deleted"
            ),
            detail={**done.as_dict(), "reason": reason},
        )
    return done
