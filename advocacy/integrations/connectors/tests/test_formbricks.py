"""Formbricks' response webhooks, signed per Standard Webhooks."""

from __future__ import annotations

import base64
import copy
import json
import time
from typing import Any

import pytest
from django.utils import timezone

from advocacy.integrations.connectors import standard
from advocacy.integrations.connectors.models import InboxRequest, RejectedRequest
from advocacy.integrations.connectors.services import replay
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
SECRET = "whsec_" + base64.b64encode(b"formbricks webhook secret 32 by!").decode()

EVENT: dict[str, Any] = {
    "webhookId": "cm4w3f0b10001",
    "event": "responseFinished",
    "data": {
        "id": "cm4w3h1qz0007",
        "createdAt": "2026-11-30T10:00:00.000Z",
        "updatedAt": "2026-11-30T10:01:00.000Z",
        "surveyId": "cm4w2yq9k0003",
        "finished": True,
        "data": {"q_recommend": 8, "q_why": "Quick onboarding"},
        "meta": {"source": "email", "userAgent": {"os": "macOS"}},
        "ttc": {"q_recommend": 2100},
        "tags": [],
        "contact": {"id": "ct_551", "userId": "u-551"},
        "contactAttributes": {"email": "ada@acme.com", "userId": "u-551"},
        "language": "default",
    },
}


def post(h: Any, event: dict[str, Any], msg_id: str = "msg_a", secret: str = SECRET) -> Any:
    raw = json.dumps(event).encode()
    stamp = int(time.time())
    signature = standard.sign(secret, msg_id, stamp, raw)
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": signature,
    }
    return h.post(raw, **headers)


def test_a_finished_response_is_one_signal(hook, ada):
    h = hook("formbricks", secret=SECRET, comment_question="q_why")
    assert post(h, EVENT).status_code == 202
    s = Signal.objects.get()
    assert (s.source, s.key, s.value, s.text, s.contact_id) == (
        "formbricks",
        "cm4w3h1qz0007",
        8,
        "Quick onboarding",
        ada.pk,
    )


def test_an_update_rewrites_the_same_answer(hook, ada):
    h = hook("formbricks", secret=SECRET, nps_question="q_recommend")
    post(h, EVENT)
    later = copy.deepcopy(EVENT)
    later["event"], later["data"]["updatedAt"] = "responseUpdated", "2026-11-30T10:05:00.000Z"
    later["data"]["data"]["q_recommend"] = 10
    post(h, later, "msg_b")
    assert (Signal.objects.count(), Signal.objects.get().value) == (1, 10)


def test_replayed_nothing_new(hook, ada):
    h = hook("formbricks", secret=SECRET)
    post(h, EVENT)
    post(h, EVENT)  # the vendor's retry, same webhook-id
    outcome = replay(now=timezone.now())
    assert (InboxRequest.objects.count(), outcome.created, Signal.objects.count()) == (1, 0, 1)


def test_a_bad_signature_is_401_and_creates_nothing(hook, ada):
    h = hook("formbricks", secret=SECRET)
    other = "whsec_" + base64.b64encode(b"not the secret of this webhook!!").decode()
    assert post(h, EVENT, secret=other).status_code == 401
    assert (Signal.objects.count(), InboxRequest.objects.count()) == (0, 0)
    assert RejectedRequest.objects.get().reason == "no valid v1 signature in webhook-signature"


def test_a_response_with_no_score_yet_is_skipped(hook, ada):
    h = hook("formbricks", secret=SECRET)
    event = copy.deepcopy(EVENT)
    event["event"], event["data"]["data"] = "responseCreated", {"q_why": "…"}
    post(h, event)
    row = InboxRequest.objects.get()
    assert (row.status, row.skipped, Signal.objects.count()) == ("processed", 1, 0)


def test_a_malformed_body_is_kept_with_its_error(hook, ada):
    h = hook("formbricks", secret=SECRET)
    event = copy.deepcopy(EVENT)
    del event["data"]["id"]
    assert post(h, event).status_code == 202
    row = InboxRequest.objects.get()
    assert (row.status, row.error, Signal.objects.count()) == (
        "failed",
        "data.id (the response) is required",
        0,
    )


def test_the_contact_id_finds_the_contact(hook, identity):
    identity("formbricks", "ct_551")
    h = hook("formbricks", secret=SECRET)
    event = copy.deepcopy(EVENT)
    event["data"]["contactAttributes"] = {}
    post(h, event)
    assert Signal.objects.get().contact.email == "ada@acme.com"
