"""The export: everything held about one person, in the documented shape, and recorded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from advocacy.people.models import AuditEntry
from advocacy.pipeline.models import Ask
from advocacy.pipeline.notices import NoticeDraft, NoticeKind, notify
from advocacy.pipeline.preferences import AdvocatePreferences
from advocacy.pipeline.slots import AskSlot
from advocacy.privacy.services import FORMAT, PrivacyError, export_person, find_person
from advocacy.privacy.tests.world import DAY, NOW, World, build
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
T = NOW.isoformat()


def at(days_ago: int) -> str:
    return (NOW - days_ago * DAY).isoformat()


@pytest.fixture
def world(owner: Any) -> Iterator[World]:
    with time_machine.travel(NOW, tick=False):
        yield build(owner)


def test_the_document_holds_every_kind_of_record(world: World, owner: Any) -> None:
    ann = world.ann
    doc = export_person(ann, actor=owner, via="cli", now=NOW)
    assert json.loads(json.dumps(doc)) == doc  # JSON as it is
    assert list(doc) == [
        "format", "version", "exported_at", "contact", "identities", "account", "signals",
        "profile", "preferences", "tap_claims", "decisions", "asks", "notices", "agreements",
        "content", "references", "referrals", "rewards", "badges", "messages", "product_events",
        "value", "audit",
    ]  # fmt: skip
    assert (doc["format"], doc["version"], doc["exported_at"]) == (FORMAT, 1, T)
    assert doc["contact"] == {
        "id": ann.pk, "email": "ann@acme.example", "first_name": "Ann", "last_name": "Lee",
        "title": "VP Operations", "persona": "champion", "phone": "+44 20 7946 0000",
        "timezone": "", "left_company_at": None, "opted_out_at": None, "created_at": T,
        "updated_at": T,
    }  # fmt: skip
    assert doc["identities"] == [
        {"source": "hubspot", "external_id": "hs-ann"},
        {"source": "salesforce", "external_id": "sf-ann"},
    ]
    assert doc["account"] == {"id": world.account.pk, "name": "Acme Robotics",
                              "domain": "acme.example"}  # fmt: skip
    nps, activity = doc["signals"]  # their own only: the account's health score is the account's
    assert nps == {
        "id": nps["id"], "source": "crm", "key": "nps-ann", "kind": "nps", "occurred_at": at(5),
        "value": 10.0, "text": "Ann loves it", "payload": {"email": "ann@acme.example"},
        "received_at": T,
    }  # fmt: skip
    assert (activity["key"], activity["kind"]) == ("act-ann", "activity")
    assert doc["profile"] == {
        "as_of": at(1), "nps": 10.0, "nps_at": at(5), "health": 85.0, "open_tickets": 0,
        "last_activity_at": at(2), "activities_12m": 1, "stage": "mature", "rung": "advocate",
        "ready": ["review", "reference_call"],
    }  # fmt: skip
    assert doc["preferences"] == {
        "efforts": [{"effort": "high", "min_days_between": 120, "updated_at": T}],
        "ask_types": [{"ask_type": "reference_call", "willing": True, "max_asks": 2,
                       "updated_at": at(9)}],
        "reach": [],
    }  # fmt: skip
    assert doc["tap_claims"] == [
        {"effort": "low", "last_tapped_at": at(19), "next_allowed_at": (NOW + DAY).isoformat()}
    ]
    review, call = doc["asks"]
    assert doc["decisions"] == [
        {"play": "promoter-review", "moment": f"nps:{nps['id']}", "outcome": "asked",
         "code": "ready", "reasons": ["NPS 10"], "ask_id": review["id"], "decided_at": at(20)}
    ]  # fmt: skip
    assert review == {
        "id": review["id"], "play": "", "moment": f"nps:{nps['id']}", "status": "sent",
        "owner_role": "", "channel": "email", "opened_at": at(20), "send_by": None,
        "sent_at": at(19), "due_at": None, "follow_up_at": None, "escalated_at": None,
        "paused_at": None, "paused_reason": "", "paused_by": "", "updated_at": T,
        "ask_type": "review", "owner": "owner", "escalated_to": None,
        "events": [
            {"from_status": "", "to_status": "proposed", "note": "opened", "at": at(20),
             "actor": None},
            {"from_status": "proposed", "to_status": "sent", "note": "", "at": at(19),
             "actor": "owner"},
        ],
        "steps": [{"position": 1, "title": "Send the link", "owner_role": "", "done_at": at(19),
                   "note": "sent to Ann", "done_by": "owner"}],
        "cap_overrides": [{"actor": "owner", "reason": "asked for it", "at": at(20)}],
        "times_offered": [],
    }  # fmt: skip
    assert (call["ask_type"], call["status"], call["steps"]) == ("reference_call", "scheduled", [])
    assert doc["agreements"] == [
        {"id": doc["agreements"][0]["id"], "status": "active", "scope": ["review"],
         "benefits": "Early access", "starts_on": at(30)[:10], "ends_on": None,
         "signed_on": at(30)[:10], "ended_at": None, "end_reason": "", "created_at": at(30),
         "updated_at": at(30), "created_by": "owner"}
    ]  # fmt: skip
    (quote,) = doc["content"]
    assert quote == {
        "id": quote["id"], "kind": "quote", "status": "approved", "title": "Ann's quote",
        "ask_id": None, "body": "Ann here: it changed how we work.", "url": "", "headline": "",
        "overview": "", "challenge": "", "solution": "", "results": [], "quote": "",
        "look_ahead": "", "consent_expires_at": (NOW + 20 * DAY).isoformat(),
        "created_at": at(10), "updated_at": at(8), "account": "Acme Robotics",
        "scopes": ["name", "title", "quote"], "created_by": "owner",
        "events": [
            {"from_status": "", "to_status": "draft", "note": "created", "at": at(10),
             "actor": "owner"},
            {"from_status": "draft", "to_status": "advocate_review", "note": "", "at": at(9),
             "actor": "owner"},
            {"from_status": "advocate_review", "to_status": "approved", "note": "", "at": at(8),
             "actor": "owner"},
        ],
        "consents": [{"scopes": ["name", "title", "quote"], "granted_at": at(10),
                      "expires_at": (NOW + 20 * DAY).isoformat(), "recorded_at": at(10),
                      "note": "", "recorded_by": "owner"}],
        "uses": [{"channel": "website", "where": "/customers", "needs": ["quote"],
                  "outcome": "recorded", "reason": "", "at": at(7), "note": "",
                  "used_by": "owner"}],
        "repermissions": [{"expires_at": (NOW + 20 * DAY).isoformat(), "raised_at": at(1),
                           "resolved_at": None, "resolution": ""}],
    }  # fmt: skip
    refs = doc["references"]
    offers = [(o["prospect_company"], o["status"], o["ask_id"], o["note"]) for o in refs["offers"]]
    assert offers == [
        ("Initech", "accepted", call["id"], "great fit"),
        ("Globex", "accepted", call["id"], ""),
    ]  # fmt: skip
    assert list(refs["offers"][0]) == [
        "id", "request_id", "ask_id", "status", "offered_at", "answered_at", "note",
        "opportunity", "prospect_company", "offered_by",
    ]  # fmt: skip
    held, upcoming = refs["calls"]
    assert held == {
        "id": held["id"], "uid": "call-1@test", "starts_at": at(10), "duration_minutes": 20,
        "outcome": "held", "rating": 5, "notes": "Ann was brilliant", "created_at": at(12),
        "updated_at": at(10), "organizer": "owner", "request_ids": [world.done_request.pk],
    }  # fmt: skip
    assert (upcoming["outcome"], upcoming["request_ids"]) == ("scheduled", [world.request.pk])
    assert refs["pool"] == {
        "ready": True, "quiet_until": None, "next_allowed_at": None, "last_tapped_at": None,
        "calls_completed": 1, "rating_sum": 5, "rating_count": 1, "declines": 0, "standing": 0,
        "refreshed_at": at(1),
    }  # fmt: skip
    # The entries about ann or her records, or carrying her email; never bob's.
    assert [(e["action"], e["target"], e["summary"]) for e in doc["audit"]] == [
        ("customers.update", f"contact {ann.pk}", "changed Ann Lee's title"),
        ("imports.run", "import 3", "imported ann@acme.example and 2 others"),
        ("asks.move", f"ask {call['id']}", "moved to scheduled"),
    ]
    assert doc["audit"][0] == {
        "at": at(6), "actor_name": "owner", "via": "web", "action": "customers.update",
        "target": f"contact {ann.pk}", "summary": "changed Ann Lee's title",
        "detail": {"email": "ann@acme.example", "name": "Ann Lee", "title": "VP"},
    }  # fmt: skip


def test_what_the_portal_keeps_is_exported(world: World, owner: Any) -> None:
    """Their reach preferences, the notices of what they did there, the call times offered."""
    call = Ask.objects.get(contact=world.ann, ask_type__code="reference_call")
    AdvocatePreferences.objects.create(
        contact=world.ann, channels=["email"], topics=["results"], updated_at=NOW
    )
    AskSlot.objects.create(ask=call, starts_at=NOW + DAY, offered_by=owner, offered_at=NOW)
    notify([NoticeDraft("k", NoticeKind.ASK_ACCEPTED, world.ann.pk, "Ann accepted.", None, "cs",
                        call.pk)], now=NOW)  # fmt: skip
    doc = export_person(world.ann, actor=owner, via="cli", now=NOW)
    assert doc["preferences"]["reach"] == [
        {"channels": ["email"], "topics": ["results"], "updated_at": T}
    ]  # fmt: skip
    (exported,) = (a for a in doc["asks"] if a["id"] == call.pk)
    assert exported["times_offered"] == [
        {"starts_at": (NOW + DAY).isoformat(), "duration_minutes": 20, "offered_at": T,
         "chosen_at": None}
    ]  # fmt: skip
    assert doc["notices"] == [
        {"kind": "ask_accepted", "ask_id": call.pk, "text": "Ann accepted.", "at": T,
         "delivered_at": None}
    ]  # fmt: skip


def test_the_export_is_recorded_without_the_email(world: World, owner: Any) -> None:
    export_person(world.ann, actor=owner, via="api", now=NOW)
    entry = AuditEntry.objects.get(action="privacy.export")
    assert (entry.actor_name, entry.via, entry.at, entry.target, entry.summary) == (
        "owner", "api", NOW, f"contact {world.ann.pk}",
        f"exported the data held about contact {world.ann.pk}",
    )  # fmt: skip
    assert entry.detail == {
        "format": FORMAT, "version": 1,
        "counts": {"identities": 2, "signals": 2, "decisions": 1, "asks": 2, "agreements": 1,
                   "content": 1, "audit": 3, "offers": 2, "calls": 2, "referrals": 0, "rewards": 0,
                   "badges": 0, "messages": 1, "product_events": 0, "value": 0},
    }  # fmt: skip


def test_the_export_costs_the_same_queries_however_much_is_held(
    world: World, owner: Any, django_assert_max_num_queries: Any
) -> None:
    # 35, and three for what the portal keeps (reach preferences, notices, times offered), and
    # three for what the outbox keeps (messages, their attempts, product events), and two for
    # the rewards ledger (entries, redemptions), two for referrals (made, and about them), one
    # for the recognition badges and two for value moments (the moments, the weekly choice)
    with django_assert_max_num_queries(48):
        export_person(world.ann, actor=owner, via="cli", now=NOW)
    Signal.objects.bulk_create(
        Signal(source="x", key=f"s{i}", kind="activity", account=world.account,
               contact=world.ann, occurred_at=NOW - DAY)
        for i in range(300)
    )  # fmt: skip
    with django_assert_max_num_queries(48):
        doc = export_person(world.ann, actor=owner, via="cli", now=NOW)
    assert len(doc["signals"]) == 302


def test_find_person_says_why_not(world: World, owner: Any) -> None:
    assert find_person("  ANN@acme.example ").pk == world.ann.pk
    with pytest.raises(PrivacyError) as caught:
        find_person("nobody@acme.example")
    assert str(caught.value) == "no contact with email 'nobody@acme.example'"
