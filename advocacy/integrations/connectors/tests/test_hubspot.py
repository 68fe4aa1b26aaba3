"""HubSpot's batched webhook events, signed with v3 signatures over the real url."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest
from django.utils import timezone

from advocacy.integrations.connectors.models import InboxRequest, RejectedRequest
from advocacy.integrations.connectors.services import replay
from advocacy.integrations.connectors.vendors.hubspot import sign
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
SECRET = "hs-client-secret"


def event(event_id: int, **change: Any) -> dict[str, Any]:
    return {
        "eventId": event_id,
        "subscriptionId": 2881778,
        "portalId": 62515,
        "appId": 1160452,
        "occurredAt": 1764403600000,
        "subscriptionType": "contact.propertyChange",
        "attemptNumber": 0,
        "objectId": 123,
        "propertyName": "hs_feedback_last_nps_rating",
        "propertyValue": "9",
        "changeSource": "CRM",
        "sourceId": "userId:12345",
    } | change


BATCH = [
    event(1001),
    event(1002, subscriptionType="contact.creation", propertyName=None, propertyValue=None),
    event(1003, propertyName="lifecyclestage", propertyValue="customer"),
]


def post(h: Any, batch: list[dict[str, Any]], *, secret: str = SECRET, age: int = 0) -> Any:
    raw = json.dumps(batch).encode()
    stamp = str(int((time.time() - age) * 1000))
    return h.post(raw, **{"X-HubSpot-Signature-v3": sign(secret, "POST", h.url, raw, stamp),
                          "X-HubSpot-Request-Timestamp": stamp})  # fmt: skip


def test_the_nps_property_change_is_a_signal_and_the_rest_is_skipped(hook, identity):
    identity("hubspot", "123")
    h = hook("hubspot", secret=SECRET)
    assert post(h, BATCH).status_code == 202
    s = Signal.objects.get()
    assert (s.source, s.key, s.value, s.contact.email) == ("hubspot", "1001", 9, "ada@acme.com")
    assert (InboxRequest.objects.get().skipped, InboxRequest.objects.get().created) == (2, 1)


def test_a_retried_batch_is_a_duplicate_and_a_replay_adds_nothing(hook, identity):
    identity("hubspot", "123")
    h = hook("hubspot", secret=SECRET)
    post(h, BATCH)
    retried = [e | {"attemptNumber": 1} for e in copy.deepcopy(BATCH)]
    assert post(h, retried).json() == {"status": "duplicate"}
    assert replay(now=timezone.now()).created == 0
    assert Signal.objects.count() == 1


@pytest.mark.parametrize(("secret", "age"), [("wrong", 0), (SECRET, 301)], ids=["key", "old"])
def test_a_bad_or_stale_signature_is_401_and_creates_nothing(hook, identity, secret, age):
    identity("hubspot", "123")
    h = hook("hubspot", secret=SECRET)
    assert post(h, BATCH, secret=secret, age=age).status_code == 401
    assert (Signal.objects.count(), InboxRequest.objects.count()) == (0, 0)
    assert RejectedRequest.objects.count() == 1


def test_the_signature_covers_the_site_url(hook, identity, settings):
    identity("hubspot", "123")
    h = hook("hubspot", secret=SECRET)
    settings.SITE_URL = "https://elsewhere.example.com"
    assert post(h, BATCH).status_code == 401


def test_a_malformed_event_is_kept_with_its_error(hook, identity):
    identity("hubspot", "123")
    h = hook("hubspot", secret=SECRET)
    assert post(h, [event(2001, propertyValue="promoter")]).status_code == 202
    row = InboxRequest.objects.get()
    assert (row.status, Signal.objects.count()) == ("failed", 0)
    assert "not a whole-number score" in row.error


def test_an_unknown_hubspot_contact_fails_its_row(hook, ada):
    h = hook("hubspot", secret=SECRET)
    post(h, BATCH)
    row = InboxRequest.objects.get()
    assert (row.status, Signal.objects.count()) == ("failed", 0)
    assert "no contact with this external id" in row.error
