"""One advocate holding one record of every kind, and a colleague holding their own (tests only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from advocacy.content.models import Asset, Repermission
from advocacy.content.services import create_asset, grant_consent, move_asset, record_use
from advocacy.core.models import IdempotencyRecord
from advocacy.customers.models import Account, Contact, ContactIdentity
from advocacy.engine.models import (
    AskTypePreference,
    CapOverride,
    ContactPreference,
    ContactProfile,
    Decision,
    Play,
    TapClaim,
)
from advocacy.people import audit
from advocacy.people.models import AuditEntry, User
from advocacy.pipeline.agreements import Agreement
from advocacy.pipeline.models import Ask, AskEvent, AskStep, AskType
from advocacy.references.models import (
    Offer,
    ReferenceAdvocate,
    ReferenceCall,
    ReferenceRequest,
)
from advocacy.signals.models import ImportRowError, ImportRun, Signal

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@dataclass
class World:
    ann: Contact
    bob: Contact  # a colleague at the same account: nothing of theirs may change
    account: Account
    staff: User
    request: ReferenceRequest  # held by ann's accepted offer: erasure opens it again
    done_request: ReferenceRequest  # completed with ann's held call: stays completed
    play: Play


def _signal(contact: Contact | None, account: Account, kind: str, key: str, **kw: Any) -> Signal:
    return Signal.objects.create(
        source="crm", key=key, kind=kind, account=account, contact=contact, **kw
    )


def _ask(contact: Contact, code: str, moment: str, status: str, staff: User) -> Ask:
    ask = Ask.objects.create(
        contact=contact,
        ask_type=AskType.objects.get(code=code),
        moment=moment,
        status=status,
        owner=staff,
        channel="email",
        opened_at=NOW - 20 * DAY,
        sent_at=NOW - 19 * DAY,
    )
    AskEvent.objects.create(
        ask=ask, from_status="", to_status="proposed", actor=None, note="opened", at=NOW - 20 * DAY
    )
    AskEvent.objects.create(
        ask=ask, from_status="proposed", to_status="sent", actor=staff, note="", at=NOW - 19 * DAY
    )
    return ask


def _person(
    account: Account, email: str, first: str, last: str, staff: User, play: Play, tag: str
) -> Contact:
    contact = Contact.objects.create(
        account=account,
        email=email,
        first_name=first,
        last_name=last,
        title="VP Operations",
        persona="champion",
        phone="+44 20 7946 0000",
    )
    ContactIdentity.objects.create(contact=contact, source="hubspot", external_id=f"hs-{tag}")
    ContactIdentity.objects.create(contact=contact, source="salesforce", external_id=f"sf-{tag}")
    nps = _signal(
        contact,
        account,
        "nps",
        f"nps-{tag}",
        occurred_at=NOW - 5 * DAY,
        value=10,
        text=f"{first} loves it",
        payload={"email": email},
    )
    _signal(contact, account, "activity", f"act-{tag}", occurred_at=NOW - 2 * DAY)
    ContactProfile.objects.create(
        contact=contact,
        account_id=account.pk,
        nps=10,
        nps_at=NOW - 5 * DAY,
        health=85,
        open_tickets=0,
        last_activity_at=NOW - 2 * DAY,
        activities_12m=1,
        stage="mature",
        rung="advocate",
        ready="review,reference_call",
        as_of=NOW - DAY,
    )
    ContactPreference.objects.create(contact=contact, effort="high", min_days_between=120)
    AskTypePreference.objects.create(
        contact=contact,
        ask_type=AskType.objects.get(code="reference_call"),
        max_asks=2,
        updated_at=NOW - 9 * DAY,
    )
    TapClaim.objects.create(
        contact=contact, effort="low", last_tapped_at=NOW - 19 * DAY, next_allowed_at=NOW + DAY
    )
    review = _ask(contact, "review", f"nps:{nps.pk}", "sent", staff)
    Ask.objects.filter(pk=review.pk).update(trigger_signal=nps)
    AskStep.objects.create(
        ask=review,
        position=1,
        title="Send the link",
        done_at=NOW - 19 * DAY,
        done_by=staff,
        note=f"sent to {first}",
    )
    CapOverride.objects.create(ask=review, actor=staff, reason="asked for it", at=NOW - 20 * DAY)
    Decision.objects.create(
        play=play,
        contact=contact,
        trigger_signal=nps,
        moment=f"nps:{nps.pk}",
        outcome="asked",
        code="ready",
        reasons=["NPS 10"],
        ask=review,
        decided_at=NOW - 20 * DAY,
    )
    Agreement.objects.create(
        contact=contact,
        status="active",
        scope=["review"],
        benefits="Early access",
        starts_on=(NOW - 30 * DAY).date(),
        signed_on=(NOW - 30 * DAY).date(),
        created_by=staff,
        created_at=NOW - 30 * DAY,
        updated_at=NOW - 30 * DAY,
    )
    quote = create_asset(
        kind="quote",
        title=f"{first}'s quote",
        contact=contact,
        actor=staff,
        now=NOW - 10 * DAY,
        body=f"{first} here: it changed how we work.",
    )
    grant_consent(
        quote,
        ["name", "quote", "title"],
        expires_at=NOW + 20 * DAY,
        actor=staff,
        now=NOW - 10 * DAY,
    )
    move_asset(quote, "advocate_review", actor=staff, now=NOW - 9 * DAY)
    move_asset(quote, "approved", actor=staff, now=NOW - 8 * DAY)
    record_use(quote, "website", actor=staff, now=NOW - 7 * DAY, where="/customers")
    Repermission.objects.create(asset=quote, expires_at=NOW + 20 * DAY, raised_at=NOW - DAY)
    ReferenceAdvocate.objects.create(
        contact=contact,
        account_id=account.pk,
        industry="SaaS",
        region="emea",
        size_band="enterprise",
        ready=True,
        calls_completed=1,
        rating_sum=5,
        rating_count=1,
        refreshed_at=NOW - DAY,
    )
    return contact


def _request(staff: User, company: str, status: str) -> ReferenceRequest:
    return ReferenceRequest.objects.create(
        opportunity=f"{company} renewal",
        prospect_company=company,
        industry="SaaS",
        needed_by=(NOW + 14 * DAY).date(),
        requested_by=staff,
        status=status,
        filed_at=NOW - 15 * DAY,
        filled_at=NOW - 3 * DAY if status != "open" else None,
        updated_at=NOW - 3 * DAY,
    )


def build(staff: User) -> World:
    """ann@acme.example with one record of every kind; bob@acme.example with his own."""
    account = Account.objects.create(name="Acme Robotics", domain="acme.example")
    play = Play.objects.create(
        name="promoter-review",
        title="Promoters review",
        source_file="x",
        definition={},
        digest="d",
        loaded_at=NOW - 40 * DAY,
    )
    ann = _person(account, "ann@acme.example", "Ann", "Lee", staff, play, "ann")
    bob = _person(account, "bob@acme.example", "Bob", "Ray", staff, play, "bob")
    _signal(None, account, "health_score", "health", occurred_at=NOW - 3 * DAY, value=85)
    # ann's reference desk: an accepted offer holding a scheduled request, and a held call.
    call_ask = _ask(ann, "reference_call", "reference:1", "scheduled", staff)
    held = _request(staff, "Globex", "scheduled")
    done = _request(staff, "Initech", "completed")
    Offer.objects.create(
        request=held,
        contact=ann,
        ask=call_ask,
        status="accepted",
        offered_by=staff,
        offered_at=NOW - 4 * DAY,
        answered_at=NOW - 3 * DAY,
    )
    Offer.objects.create(
        request=done,
        contact=ann,
        ask=call_ask,
        status="accepted",
        offered_by=staff,
        offered_at=NOW - 14 * DAY,
        note="great fit",
    )
    call = ReferenceCall.objects.create(
        contact=ann,
        organizer=staff,
        uid="call-1@test",
        starts_at=NOW - 10 * DAY,
        outcome="held",
        rating=5,
        notes="Ann was brilliant",
        created_at=NOW - 12 * DAY,
        updated_at=NOW - 10 * DAY,
    )
    call.requests.set([done])
    ReferenceCall.objects.create(
        contact=ann,
        organizer=staff,
        uid="call-2@test",
        starts_at=NOW + 2 * DAY,
        created_at=NOW - 3 * DAY,
        updated_at=NOW - 3 * DAY,
    ).requests.set([held])
    # What the log and other stores say about ann (and one entry about someone else).
    audit.record(
        actor=staff,
        action="customers.update",
        via="web",
        now=NOW - 6 * DAY,
        target=f"contact {ann.pk}",
        summary="changed Ann Lee's title",
        detail={"email": "ann@acme.example", "name": "Ann Lee", "title": "VP"},
    )
    audit.record(
        actor=staff,
        action="imports.run",
        via="cli",
        now=NOW - 5 * DAY,
        target="import 3",
        summary="imported ann@acme.example and 2 others",
        detail={"rows": 3},
    )
    audit.record(
        actor=staff,
        action="asks.move",
        via="api",
        now=NOW - 4 * DAY,
        target=f"ask {call_ask.pk}",
        summary="moved to scheduled",
        detail={},
    )
    audit.record(
        actor=staff,
        action="customers.update",
        via="web",
        now=NOW - 4 * DAY,
        target=f"contact {bob.pk}",
        summary="changed Bob Ray's phone",
        detail={"email": "bob@acme.example"},
    )
    run = ImportRun.objects.create(kind="contacts", status="committed", filename="crm.csv")
    ImportRowError.objects.create(
        run=run,
        line=4,
        column="external_id",
        expected="an id",
        found="hs-9",
        message="this id already belongs to ann@acme.example",
    )
    ImportRowError.objects.create(
        run=run,
        line=5,
        column="email",
        expected="an email",
        found="bob@acme.example",
        message="bad",
    )
    for key, email in (("k-ann", "ann@acme.example"), ("k-bob", "bob@acme.example")):
        IdempotencyRecord.objects.create(
            user=staff,
            key=key,
            method="POST",
            path="/api/contacts",
            request_hash="h",
            status_code=201,
            content_type="application/json",
            response_body=f'{{"email": "{email}"}}'.encode(),
        )
    return World(ann, bob, account, staff, held, done, play)


def counts_of(contact_id: int) -> dict[str, int]:
    """How many rows of each personal kind hang off a contact (by id: it may be gone)."""
    return {
        "contact": Contact.objects.filter(pk=contact_id).count(),
        "identities": ContactIdentity.objects.filter(contact_id=contact_id).count(),
        "signals": Signal.objects.filter(contact_id=contact_id).count(),
        "profile": ContactProfile.objects.filter(contact_id=contact_id).count(),
        "preferences": ContactPreference.objects.filter(contact_id=contact_id).count()
        + AskTypePreference.objects.filter(contact_id=contact_id).count(),
        "tap_claims": TapClaim.objects.filter(contact_id=contact_id).count(),
        "decisions": Decision.objects.filter(contact_id=contact_id).count(),
        "asks": Ask.objects.filter(contact_id=contact_id).count(),
        "ask_events": AskEvent.objects.filter(ask__contact_id=contact_id).count(),
        "agreements": Agreement.objects.filter(contact_id=contact_id).count(),
        "assets": Asset.objects.filter(contact_id=contact_id).count(),
        "offers": Offer.objects.filter(contact_id=contact_id).count(),
        "calls": ReferenceCall.objects.filter(contact_id=contact_id).count(),
        "pool": ReferenceAdvocate.objects.filter(contact_id=contact_id).count(),
    }


def audit_texts() -> list[tuple[str, str, str, Any]]:
    return list(
        AuditEntry.objects.order_by("at", "id").values_list("action", "target", "summary", "detail")
    )
