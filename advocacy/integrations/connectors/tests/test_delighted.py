"""Delighted's survey_response webhooks, in the shape of its documentation's example."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.utils import timezone

from advocacy.integrations.connectors.models import InboxRequest, RejectedRequest
from advocacy.integrations.connectors.services import replay
from advocacy.integrations.connectors.vendors.delighted import sign
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
SECRET = "dlt-secret"

CREATED: dict[str, Any] = {
    "event_type": "survey_response.created",
    "event_id": "evt_b7a8b2f1",
    "event_data": {
        "id": "5435",
        "person": {"id": "8123", "email": "ada@acme.com", "name": "Ada Lovelace",
                   "created_at": 1764400000, "last_sent_at": 1764400000},
        "survey_type": "nps",
        "score": 9,
        "comment": None,
        "permalink": "https://delighted.com/r/5435",
        "created_at": 1764403600,
        "updated_at": 1764403600,
        "person_properties": {"Plan": "Enterprise"},
        "notes": [],
        "tags": [],
        "additional_answers": [],
    },
    "event_creator": {"id": "8123", "type": "person"},
}  # fmt: skip


def updated(**answer: Any) -> dict[str, Any]:
    event = copy.deepcopy(CREATED)
    event["event_type"], event["event_id"] = "survey_response.updated", "evt_c9d0e1f2"
    event["event_data"].update(answer)
    return event


def post(h: Any, event: dict[str, Any], secret: str = SECRET) -> Any:
    raw = json.dumps(event).encode()
    return h.post(raw, **{"X-Delighted-Webhook-Signature": sign(secret, raw)})


def test_a_response_is_one_nps_signal(hook, ada):
    h = hook("delighted", secret=SECRET)
    assert post(h, CREATED).status_code == 202
    s = Signal.objects.get()
    assert (s.source, s.key, s.kind, s.value, s.text, s.contact_id) == (
        "delighted",
        "5435",
        "nps",
        9,
        "",
        ada.pk,
    )


def test_a_comment_after_the_score_updates_the_same_answer(hook, ada):
    h = hook("delighted", secret=SECRET)
    post(h, CREATED)
    post(h, updated(comment="Support is superb", updated_at=1764403700))
    s = Signal.objects.get()
    assert (s.value, s.text) == (9, "Support is superb")
    assert InboxRequest.objects.filter(revised=1).count() == 1
    # An older revision, arriving late, changes nothing.
    late = updated(comment="stale", score=3, updated_at=1764403650)
    late["event_id"] = "evt_late"
    post(h, late)
    assert (Signal.objects.get().value, Signal.objects.get().text) == (9, "Support is superb")


def test_replayed_nothing_new(hook, ada):
    h = hook("delighted", secret=SECRET)
    post(h, CREATED)
    post(h, CREATED)  # the vendor's retry
    outcome = replay(now=timezone.now())
    assert (outcome.requests, outcome.created, Signal.objects.count()) == (1, 0, 1)


def test_a_bad_signature_is_401_and_creates_nothing(hook, ada):
    h = hook("delighted", secret=SECRET)
    assert post(h, CREATED, secret="wrong").status_code == 401
    assert (Signal.objects.count(), InboxRequest.objects.count()) == (0, 0)
    assert RejectedRequest.objects.get().reason == (
        "x-delighted-webhook-signature does not match the body"
    )


def test_a_malformed_body_is_kept_with_its_error(hook, ada):
    h = hook("delighted", secret=SECRET)
    event = copy.deepcopy(CREATED)
    event["event_data"]["score"] = "very likely"
    assert post(h, event).status_code == 202
    row = InboxRequest.objects.get()
    assert (row.status, Signal.objects.count()) == ("failed", 0)
    assert "not a whole-number score" in row.error


def test_the_person_id_finds_a_contact_whose_email_is_unknown(hook, identity):
    identity("delighted", "8123")
    h = hook("delighted", secret=SECRET)
    event = copy.deepcopy(CREATED)
    event["event_data"]["person"]["email"] = "ada.personal@example.org"
    post(h, event)
    assert Signal.objects.get().contact.email == "ada@acme.com"


def test_other_events_are_skipped(hook, ada):
    h = hook("delighted", secret=SECRET)
    post(h, {"event_type": "unsubscribe.created", "event_id": "u1", "event_data": {}})
    row = InboxRequest.objects.get()
    assert (row.status, row.skipped, Signal.objects.count()) == ("processed", 1, 0)
