"""The erasure: the person and everything hanging off them go; only keyed hashes stay."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from advocacy.core.models import IdempotencyRecord
from advocacy.customers.models import Account, Suppression
from advocacy.customers.suppression import digest_email, digest_identity
from advocacy.engine.models import Decision
from advocacy.people.models import AuditEntry
from advocacy.pipeline.models import Ask
from advocacy.privacy.services import (
    ERASED,
    PersonGone,
    PrivacyError,
    erase_person,
    export_person,
)
from advocacy.privacy.tests.world import DAY, NOW, World, audit_texts, build, counts_of
from advocacy.references.models import ReferenceRequest
from advocacy.signals.models import ImportRowError, Signal

pytestmark = pytest.mark.django_db
NOTHING = {
    "contact": 0, "identities": 0, "signals": 0, "profile": 0, "preferences": 0, "tap_claims": 0,
    "decisions": 0, "asks": 0, "ask_events": 0, "agreements": 0, "assets": 0, "offers": 0,
    "calls": 0, "pool": 0,
}  # fmt: skip
BOB = {
    "contact": 1, "identities": 2, "signals": 2, "profile": 1, "preferences": 2, "tap_claims": 1,
    "decisions": 1, "asks": 1, "ask_events": 2, "agreements": 1, "assets": 1, "offers": 0,
    "calls": 0, "pool": 1,
}  # fmt: skip


@pytest.fixture
def world(owner: Any) -> Iterator[World]:
    with time_machine.travel(NOW, tick=False):
        yield build(owner)


def test_erasure_deletes_the_person_and_keeps_only_hashes(world: World, owner: Any) -> None:
    ann = world.ann
    done = erase_person(ann, actor=owner, via="web", now=NOW, reason="Her email of 30 May")

    assert counts_of(ann.pk) == NOTHING
    assert counts_of(world.bob.pk) == BOB  # the colleague keeps everything
    assert Account.objects.filter(pk=world.account.pk).exists()  # the company stays
    assert list(Signal.objects.filter(contact__isnull=True).values_list("key", flat=True)) == [
        "health"
    ]
    assert sorted(Suppression.objects.values_list("kind", "digest", "erased_at")) == sorted([
        ("email", digest_email("ann@acme.example"), NOW),
        ("identity", digest_identity("hubspot", "hs-ann"), NOW),
        ("identity", digest_identity("salesforce", "sf-ann"), NOW),
    ])  # fmt: skip
    assert done.deleted == {
        "content.Asset": 1, "content.AssetEvent": 3, "content.AssetUse": 1,
        "content.Consent": 1, "content.Repermission": 1, "customers.Contact": 1,
        "customers.ContactIdentity": 2, "engine.AskTypePreference": 1, "engine.CapOverride": 1,
        "engine.ContactPreference": 1, "engine.ContactProfile": 1, "engine.Decision": 1,
        "engine.TapClaim": 1, "messaging.Message": 1, "pipeline.Agreement": 1, "pipeline.Ask": 2,
        "pipeline.AskEvent": 4, "pipeline.AskStep": 1, "references.Offer": 2,
        "references.ReferenceAdvocate": 1, "references.ReferenceCall": 2,
        "references.ReferenceCall_requests": 2, "signals.Signal": 2,
    }  # fmt: skip
    assert (done.total_deleted, done.contact_id, done.erased_at) == (34, ann.pk, NOW)


def test_requests_the_person_held_are_open_again_and_history_stays(
    world: World, owner: Any
) -> None:
    erase_person(world.ann, actor=owner, via="cli", now=NOW, reason="by phone")
    held = ReferenceRequest.objects.get(pk=world.request.pk)
    assert (held.status, held.filled_at, held.updated_at) == ("open", None, NOW)
    done = ReferenceRequest.objects.get(pk=world.done_request.pk)
    assert (done.status, done.filled_at) == ("completed", NOW - 3 * DAY)


def test_what_pointed_at_their_signals_keeps_its_row(world: World, owner: Any) -> None:
    """A colleague's decision (and ask) triggered by the person's signal loses the trigger."""
    nps = Signal.objects.get(key="nps-ann")
    bob_decision = Decision.objects.get(contact=world.bob)
    bob_ask = Ask.objects.get(contact=world.bob)
    Decision.objects.filter(pk=bob_decision.pk).update(trigger_signal=nps)
    Ask.objects.filter(pk=bob_ask.pk).update(trigger_signal=nps)

    erase_person(world.ann, actor=owner, via="cli", now=NOW, reason="by phone")

    assert Decision.objects.get(pk=bob_decision.pk).trigger_signal_id is None
    assert Ask.objects.get(pk=bob_ask.pk).trigger_signal_id is None


def test_earlier_audit_entries_are_blanked_and_the_erasure_recorded(
    world: World, owner: Any
) -> None:
    ann = world.ann
    export_person(ann, actor=owner, via="web", now=NOW - DAY)
    call_ask = Ask.objects.get(contact=ann, ask_type__code="reference_call")

    done = erase_person(
        ann, actor=owner, via="api", now=NOW, reason="Ann Lee wrote from ANN@acme.example"
    )

    entries = audit_texts()
    assert entries[:5] == [
        ("customers.update", f"contact {ann.pk}", f"changed {ERASED}'s title",
         {"email": ERASED, "name": ERASED, "title": "VP"}),
        ("imports.run", "import 3", f"imported {ERASED} and 2 others", {"rows": 3}),
        ("asks.move", f"ask {call_ask.pk}", "moved to scheduled", {}),
        ("customers.update", f"contact {world.bob.pk}", "changed Bob Ray's phone",
         {"email": "bob@acme.example"}),
        ("privacy.export", f"contact {ann.pk}", f"exported the data held about contact {ann.pk}",
         entries[4][3]),
    ]  # fmt: skip
    erasure = AuditEntry.objects.get(action="privacy.erase")
    assert (erasure.actor_name, erasure.via, erasure.at, erasure.target, erasure.summary) == (
        "owner", "api", NOW, f"contact {ann.pk}",
        f"erased contact {ann.pk} on request: 34 record(s) deleted",
    )  # fmt: skip
    assert erasure.detail == {**done.as_dict(), "reason": f"{ERASED} wrote from {ERASED}"}
    assert erasure.detail["email_hash"] == digest_email("ann@acme.example")
    assert (done.audit_entries_blanked, done.requests_reopened) == (4, (world.request.pk,))
    everything = " ".join(str(row) for row in AuditEntry.objects.values_list())
    assert "ann@acme.example" not in everything.lower()
    assert "Ann Lee" not in everything


def test_rejected_import_rows_and_stored_api_answers_lose_the_email(
    world: World, owner: Any
) -> None:
    done = erase_person(world.ann, actor=owner, via="cli", now=NOW, reason="by phone")
    assert sorted(ImportRowError.objects.values_list("line", "found", "message")) == [
        (4, "hs-9", f"this id already belongs to {ERASED}"),
        (5, "bob@acme.example", "bad"),
    ]
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k-bob"]
    assert (done.import_errors_blanked, done.api_answers_dropped) == (1, 1)


def test_a_reason_is_required_and_bounded(world: World, owner: Any) -> None:
    with pytest.raises(PrivacyError) as caught:
        erase_person(world.ann, actor=owner, via="cli", now=NOW, reason="  \n ")
    assert str(caught.value) == (
        "a reason is required: the request this erasure answers "
        "(for example 'erasure requested by email on 2026-06-01')"
    )
    with pytest.raises(PrivacyError) as caught:
        erase_person(world.ann, actor=owner, via="cli", now=NOW, reason="x" * 301)
    assert str(caught.value) == "the reason is 301 characters: expected at most 300"
    assert counts_of(world.ann.pk)["contact"] == 1
    assert Suppression.objects.count() == 0


def test_erasing_twice_says_the_person_is_gone(world: World, owner: Any) -> None:
    ann = world.ann
    erase_person(ann, actor=owner, via="cli", now=NOW, reason="by phone")
    with pytest.raises(PersonGone) as caught:
        erase_person(ann, actor=owner, via="cli", now=NOW, reason="by phone")
    assert str(caught.value) == f"contact {ann.pk} no longer exists: it was erased or deleted"
    assert Suppression.objects.count() == 3
    assert AuditEntry.objects.filter(action="privacy.erase").count() == 1


def test_the_erasure_costs_the_same_statements_however_much_is_held(
    world: World, owner: Any, django_assert_max_num_queries: Any
) -> None:
    Signal.objects.bulk_create(
        Signal(source="x", key=f"s{i}", kind="activity", account=world.account,
               contact=world.ann, occurred_at=NOW - DAY)
        for i in range(500)
    )  # fmt: skip
    # A statement per table that hangs off the contact: 49 before the portal and the outbox;
    # the portal's notices, reach preferences, offered call times and used links are five more,
    # the outbox's emails and their attempts (through the contact, its asks and its content)
    # five more; its product events (through the contact, its asks and its messages) and the
    # emails that went to the person's address for someone else's call (read, their attempts,
    # their events, deleted) five more; the rewards ledger and redemptions (through the
    # contact, its asks and its redemptions) three more; referrals (the person as a prospect
    # blanked: two; their code, and the referrals they made with their moves) four more; the
    # recognition badges one more; the value moments (through the contact and through its
    # emails) and the weekly insights choice three more; the person's parts in the deals a CRM
    # gave us one more, however many there are.
    with django_assert_max_num_queries(76):
        done = erase_person(world.ann, actor=owner, via="cli", now=NOW, reason="by phone")
    assert done.deleted["signals.Signal"] == 502
