"""The generic signed webhook (Standard Webhooks), and the framework every connector shares:
the url's token, the inbox first, deduplication by event id, the rejected log, replay."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from django.utils import timezone

from advocacy.integrations.connectors import standard
from advocacy.integrations.connectors.models import (
    REJECTED_KEEP,
    Connection,
    InboxRequest,
    RejectedRequest,
)
from advocacy.integrations.connectors.services import ConnectorError, add_connection, replay
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
SECRET = "whsec_" + base64.b64encode(b"a signing secret of 32 bytes ok!").decode()


def signal(**extra: Any) -> dict[str, Any]:
    return {"id": "evt-1", "kind": "nps", "email": "ada@acme.com", "value": 9,
            "text": "Great support", "occurred_at": "2026-11-30T10:00:00Z"} | extra  # fmt: skip


def signed(body: dict[str, Any], msg_id: str = "msg_1", *, secret: str = SECRET,
           at: int | None = None) -> tuple[bytes, dict[str, str]]:  # fmt: skip
    raw = json.dumps(body).encode()
    stamp = int(time.time()) if at is None else at
    return raw, {
        "webhook-id": msg_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": standard.sign(secret, msg_id, stamp, raw),
    }


def test_a_signed_request_is_stored_then_mapped_to_one_signal(hook, ada):
    h = hook("webhook", secret=SECRET)
    raw, headers = signed(signal())
    response = h.post(raw, **headers)
    assert response.status_code == 202
    row = InboxRequest.objects.get()
    assert (row.status, row.created, row.event_id, bytes(row.body)) == (
        "processed",
        1,
        "msg_1",
        raw,
    )
    s = Signal.objects.get()
    assert (s.source, s.key, s.kind, s.value, s.text, s.contact_id) == (
        "webhook:webhook",
        "evt-1",
        "nps",
        9,
        "Great support",
        ada.pk,
    )


def test_a_retry_of_the_same_event_is_answered_2xx_and_changes_nothing(hook, ada):
    h = hook("webhook", secret=SECRET)
    raw, headers = signed(signal())
    assert h.post(raw, **headers).status_code == 202
    again = h.post(raw, **headers)
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    assert (InboxRequest.objects.count(), Signal.objects.count()) == (1, 1)


def test_replaying_the_inbox_creates_nothing_new(hook, ada):
    h = hook("webhook", secret=SECRET)
    h.post(*signed(signal())[:1], **signed(signal())[1])
    outcome = replay(now=timezone.now())
    assert (outcome.requests, outcome.created, outcome.unchanged) == (1, 0, 1)
    assert Signal.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"webhook-signature": "v1," + base64.b64encode(b"x" * 32).decode()},
        {"webhook-timestamp": str(int(time.time()) - 301)},
        {"webhook-signature": ""},
    ],
    ids=["wrong signature", "too old", "missing"],
)
def test_a_bad_signature_gets_401_and_only_the_rejected_log_keeps_it(hook, ada, change):
    h = hook("webhook", secret=SECRET)
    raw, headers = signed(signal())
    response = h.post(raw, **(headers | change))
    assert response.status_code == 401
    assert (InboxRequest.objects.count(), Signal.objects.count()) == (0, 0)
    assert RejectedRequest.objects.get().body_bytes == len(raw)


def test_a_signature_by_another_secret_is_refused(hook, ada):
    h = hook("webhook", secret=SECRET)
    other = "whsec_" + base64.b64encode(b"another secret of 32 bytes here!").decode()
    raw, headers = signed(signal(), secret=other)
    assert h.post(raw, **headers).status_code == 401


def test_the_rejected_log_is_pruned_to_its_bound(hook, ada, monkeypatch):
    monkeypatch.setattr("advocacy.integrations.connectors.ingest.REJECTED_KEEP", 3)
    h = hook("webhook", secret=SECRET)
    for _ in range(5):
        h.post(b"{}", **{"webhook-id": "x", "webhook-timestamp": "1", "webhook-signature": "v1,x"})
    assert RejectedRequest.objects.count() == 3
    assert REJECTED_KEEP == 1000


def test_a_malformed_body_is_kept_in_the_inbox_with_its_error(hook, ada):
    h = hook("webhook", secret=SECRET)
    raw = b"{not json"
    stamp = int(time.time())
    headers = {"webhook-id": "m", "webhook-timestamp": str(stamp),
               "webhook-signature": standard.sign(SECRET, "m", stamp, raw)}  # fmt: skip
    assert h.post(raw, **headers).status_code == 202
    row = InboxRequest.objects.get()
    assert (row.status, row.error, bytes(row.body)) == ("failed", "the body is not JSON", raw)
    assert Signal.objects.count() == 0


def test_a_signal_the_service_refuses_fails_its_row_with_the_reason(hook, ada):
    h = hook("webhook", secret=SECRET)
    raw, headers = signed(signal(email="nobody@acme.com"))
    assert h.post(raw, **headers).status_code == 202
    row = InboxRequest.objects.get()
    assert row.status == "failed"
    assert "no contact with this email" in row.error
    # Once the contact exists, replaying the row records the signal.
    ada.__class__.objects.create(account=ada.account, email="nobody@acme.com")
    outcome = replay(now=timezone.now(), ids=[row.pk])
    assert (outcome.created, InboxRequest.objects.get().status) == (1, "processed")


def test_an_unknown_or_removed_token_is_404_and_keeps_nothing(hook, client, ada):
    h = hook("webhook", secret=SECRET)
    raw, headers = signed(signal())
    assert client.post("/hooks/not-a-token/", raw, content_type="application/json",
                       headers=headers).status_code == 404  # fmt: skip
    Connection.objects.update(removed_at=timezone.now())
    assert h.post(raw, **headers).status_code == 404
    assert (InboxRequest.objects.count(), RejectedRequest.objects.count()) == (0, 0)


def test_a_batch_of_signals_in_one_request(hook, ada):
    h = hook("webhook", secret=SECRET)
    body = {"signals": [signal(id="a"), signal(id="b", kind="csat", value=5)]}
    raw, headers = signed(body)
    h.post(raw, **headers)
    assert sorted(Signal.objects.values_list("key", "kind")) == [("a", "nps"), ("b", "csat")]


def test_the_person_may_be_named_by_an_identity(hook, identity):
    identity("crm", "42")
    h = hook("webhook", secret=SECRET, identity_source="crm")
    raw, headers = signed(signal(email=None, external_id="42"))
    h.post(raw, **headers)
    assert Signal.objects.get().contact.email == "ada@acme.com"


def test_the_secret_is_stored_encrypted_and_the_token_hashed(db):
    connection, url = add_connection("webhook", "crm", secret=SECRET, actor=None,
                                     now=timezone.now())  # fmt: skip
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 43
    assert SECRET not in connection.secret_encrypted
    assert token not in connection.token_hash


@pytest.mark.parametrize(
    ("kind", "secret", "options", "says"),
    [
        ("nope", "", {}, "no connector of kind 'nope'"),
        ("webhook", "", {}, "--secret is required"),
        ("webhook", SECRET, {"colour": "red"}, "has no option colour"),
    ],
)
def test_add_refuses_what_it_cannot_use(db, kind, secret, options, says):
    with pytest.raises(ConnectorError, match=says):
        add_connection(kind, "x", secret=secret, options=options, actor=None,
                       now=timezone.now())  # fmt: skip
