"""Typeform's form_response webhook, in the shape of its documentation's example payload."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.utils import timezone

from advocacy.integrations.connectors.models import InboxRequest, RejectedRequest
from advocacy.integrations.connectors.services import replay
from advocacy.integrations.connectors.vendors.typeform import sign
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
SECRET = "tf-secret"

EVENT: dict[str, Any] = {
    "event_id": "01HB2X8QZK4V5",
    "event_type": "form_response",
    "form_response": {
        "form_id": "lT4Z3j",
        "token": "a3a12ec67a1365927098a606107fac15",
        "landed_at": "2026-11-30T09:58:02Z",
        "submitted_at": "2026-11-30T10:00:02Z",
        "hidden": {"email": "ada@acme.com"},
        "definition": {
            "id": "lT4Z3j",
            "title": "How are we doing?",
            "fields": [
                {"id": "Fs1", "title": "How likely...?", "type": "opinion_scale", "ref": "effort"},
                {"id": "Fs2", "title": "How likely...?", "type": "nps", "ref": "recommend"},
                {"id": "Fs3", "title": "Why?", "type": "long_text", "ref": "why"},
            ],
        },
        "answers": [
            {"type": "number", "number": 4, "field": {"id": "Fs1", "type": "opinion_scale",
                                                      "ref": "effort"}},
            {"type": "number", "number": 10, "field": {"id": "Fs2", "type": "nps",
                                                       "ref": "recommend"}},
            {"type": "text", "text": "It just works", "field": {"id": "Fs3", "type": "long_text",
                                                                "ref": "why"}},
        ],
    },
}  # fmt: skip


def post(h: Any, event: dict[str, Any], secret: str = SECRET) -> Any:
    raw = json.dumps(event).encode()
    return h.post(raw, **{"Typeform-Signature": sign(secret, raw)})


def test_the_nps_field_is_the_score_by_default(hook, ada):
    h = hook("typeform", secret=SECRET)
    assert post(h, EVENT).status_code == 202
    s = Signal.objects.get()
    assert (s.source, s.key, s.kind, s.value, s.text, s.contact_id) == (
        "typeform",
        "a3a12ec67a1365927098a606107fac15",
        "nps",
        10,
        "It just works",
        ada.pk,
    )


def test_an_opinion_scale_when_there_is_no_nps_field(hook, ada):
    h = hook("typeform", secret=SECRET)
    event = copy.deepcopy(EVENT)
    del event["form_response"]["answers"][1]
    post(h, event)
    assert Signal.objects.get().value == 4


def test_the_option_names_another_field(hook, ada):
    h = hook("typeform", secret=SECRET, nps_field="effort")
    post(h, EVENT)
    assert Signal.objects.get().value == 4


def test_replayed_nothing_new(hook, ada):
    h = hook("typeform", secret=SECRET)
    post(h, EVENT)
    outcome = replay(now=timezone.now())
    assert (outcome.created, outcome.unchanged, Signal.objects.count()) == (0, 1, 1)


def test_a_bad_signature_is_401_and_creates_nothing(hook, ada):
    h = hook("typeform", secret=SECRET)
    assert post(h, EVENT, secret="other").status_code == 401
    assert (Signal.objects.count(), InboxRequest.objects.count()) == (0, 0)
    assert RejectedRequest.objects.count() == 1


def test_a_response_without_an_email_is_kept_with_its_error(hook, ada):
    h = hook("typeform", secret=SECRET)
    event = copy.deepcopy(EVENT)
    event["form_response"]["hidden"] = {}
    assert post(h, event).status_code == 202
    row = InboxRequest.objects.get()
    assert (row.status, Signal.objects.count()) == ("failed", 0)
    assert row.error.startswith("no email")


def test_a_score_off_the_scale_is_refused_by_the_signal_checks(hook, ada):
    h = hook("typeform", secret=SECRET, nps_field="why")
    event = copy.deepcopy(EVENT)
    event["form_response"]["answers"][2] = {"type": "number", "number": 42,
                                            "field": {"type": "number", "ref": "why"}}  # fmt: skip
    post(h, event)
    row = InboxRequest.objects.get()
    assert (row.status, Signal.objects.count()) == ("failed", 0)
    assert "nps value out of range" in row.error
