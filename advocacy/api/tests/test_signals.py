"""/api/signals: record one or many; a contact's timeline, newest first."""

import datetime as dt

import pytest

from advocacy.customers.models import Account, Contact
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
AT = "2026-03-01T10:00:00Z"


@pytest.fixture
def ada():
    acme = Account.objects.create(name="Acme", domain="acme.com")
    return Contact.objects.create(account=acme, email="ada@acme.com")


def nps(key, score, at=AT, email="ada@acme.com"):
    return {
        "source": "delighted",
        "key": key,
        "kind": "nps",
        "occurred_at": at,
        "contact": {"email": email},
        "value": score,
        "payload": {"score": score},
    }


def test_record_one_then_replay_it(api, ada):
    response = api.post("/api/signals", nps("r1", 10))
    assert response.status_code == 201
    signal = Signal.objects.get()
    body = response.json()
    assert body == {
        "id": signal.pk,
        "source": "delighted",
        "key": "r1",
        "kind": "nps",
        "account_id": ada.account_id,
        "contact_id": ada.pk,
        "occurred_at": AT,
        "value": 10.0,
        "text": "",
        "payload": {"score": 10},
        "received_at": body["received_at"],
    }
    again = api.post("/api/signals", nps("r1", 3))
    assert again.status_code == 200
    assert again.json()["value"] == 10.0  # append-only: the stored fact wins
    assert Signal.objects.count() == 1


def test_account_level_signal(api, ada):
    response = api.post(
        "/api/signals",
        {
            "source": "gainsight",
            "key": "h1",
            "kind": "health_score",
            "occurred_at": AT,
            "account": {"domain": "acme.com"},
            "value": 82,
        },
    )
    assert response.status_code == 201
    assert (response.json()["account_id"], response.json()["contact_id"]) == (
        ada.account_id,
        None,
    )


def test_batch_and_timeline_newest_first(api, ada):
    items = [
        nps("a", 9, "2026-01-01T00:00:00Z"),
        nps("b", 7, "2026-02-01T00:00:00Z"),
        nps("a", 9, "2026-01-01T00:00:00Z"),
    ]
    response = api.post("/api/signals/batch", {"items": items})
    assert response.status_code == 201
    a, b = Signal.objects.get(key="a"), Signal.objects.get(key="b")
    assert response.json() == {
        "created": 2,
        "updated": 0,
        "unchanged": 1,
        "ids": [a.pk, b.pk, a.pk],
    }
    timeline = api.get("/api/signals", {"contact_id": ada.pk})
    assert [s["key"] for s in timeline.json()["items"]] == ["b", "a"]
    assert timeline.json()["count"] == 2
    only = api.get("/api/signals", {"contact_id": ada.pk, "kind": "csat"})
    assert only.json() == {"items": [], "count": 0}


def test_batch_with_an_unknown_contact_and_an_out_of_range_score_writes_nothing(api, ada):
    items = [nps("ok", 9), nps("x", 8, email="who@acme.com"), nps("y", 11)]
    response = api.post("/api/signals/batch", {"items": items})
    assert response.status_code == 422
    assert [(e["item"], e["field"]) for e in response.json()["detail"]] == [
        (1, "contact"),
        (2, "value"),
    ]
    assert Signal.objects.count() == 0


def test_signal_needs_a_subject_and_an_aware_time(api):
    bad = {"source": "s", "key": "k", "kind": "activity", "occurred_at": "2026-03-01T10:00:00"}
    response = api.post("/api/signals", bad)
    assert response.status_code == 422
    messages = [e["msg"] for e in response.json()["detail"]]
    assert messages == ["Input should have timezone info"]
    bad["occurred_at"] = AT
    response = api.post("/api/signals", bad)
    assert response.json()["detail"][0]["msg"] == (
        "Value error, give `contact` or `account`: whom the signal is about"
    )


def test_timeline_of_unknown_contact_is_404(api):
    assert api.get("/api/signals", {"contact_id": 424242}).status_code == 404


def test_occurred_at_is_stored_exactly(api, ada):
    api.post("/api/signals", nps("t", 5, "2026-03-01T12:30:00+02:00"))
    assert Signal.objects.get().occurred_at == dt.datetime(2026, 3, 1, 10, 30, tzinfo=dt.UTC)


def referral(key, referral_id=None, payload=None):
    body = {
        "source": "crm",
        "key": key,
        "kind": "referral_status",
        "occurred_at": AT,
        "contact": {"email": "ada@acme.com"},
        "payload": payload or {"status": "meeting_booked"},
    }
    if referral_id is not None:
        body["referral_id"] = referral_id
    return body


def test_referral_id_is_kept_in_the_payload_single_and_batch(api, ada):
    one = api.post("/api/signals", referral("s1", "ref-88"))
    assert one.status_code == 201
    assert one.json()["payload"] == {"status": "meeting_booked", "referral_id": "ref-88"}
    batch = api.post(
        "/api/signals/batch",
        {"items": [referral("s2", "ref-88"), referral("s3"), referral("s4", "ref-89")]},
    )
    assert batch.status_code == 201
    got = Signal.objects.order_by("key").values_list("key", "payload")
    assert list(got) == [
        ("s1", {"status": "meeting_booked", "referral_id": "ref-88"}),
        ("s2", {"status": "meeting_booked", "referral_id": "ref-88"}),
        ("s3", {"status": "meeting_booked"}),
        ("s4", {"status": "meeting_booked", "referral_id": "ref-89"}),
    ]


def test_referral_id_given_twice_must_agree(api, ada):
    same = api.post("/api/signals", referral("s1", "ref-1", {"referral_id": "ref-1"}))
    assert (same.status_code, same.json()["payload"]) == (201, {"referral_id": "ref-1"})
    response = api.post("/api/signals", referral("s2", "ref-1", {"referral_id": "ref-2"}))
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == (
        "Value error, referral_id is 'ref-1' but payload.referral_id is 'ref-2': "
        "give one, or the same in both"
    )
    empty = api.post("/api/signals", referral("s3", ""))
    assert empty.status_code == 422
    assert Signal.objects.count() == 1
