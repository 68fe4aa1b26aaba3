"""/api/signals: record one or many; a contact's timeline, newest first."""

import datetime as dt

import pytest
import time_machine

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


def post_raw(api, path, text):
    """POST a body exactly as written (json.dumps would write 1e1 as 10.0)."""
    return api.client.post(path, text, content_type="application/json", headers=api._headers(None))


def refusals(response):
    assert response.status_code == 422
    return [(e["field"], e["msg"]) for e in response.json()["detail"]]


def test_a_score_off_its_scale_is_refused_naming_what_was_expected_and_found(api, ada):
    """GIVEN NPS 9.5, 10.0, 11 and CSAT 0, 4.5, 6 WHEN sent THEN each is refused for its scale."""
    cases = [
        ("nps", 9.5, "nps is a whole number, not a fraction: expected a whole number from 0 "
         "to 10, found '9.5'"),
        ("nps", 10.0, "nps is a whole number: written without a decimal point or an exponent: "
         "expected a whole number from 0 to 10, found '10.0'"),
        ("nps", 11, "nps value out of range: expected a whole number from 0 to 10, found '11'"),
        ("nps", -1, "nps value out of range: expected a whole number from 0 to 10, found '-1'"),
        ("csat", 0, "csat value out of range: expected a whole number from 1 to 5, found '0'"),
        ("csat", 4.5, "csat is a whole number, not a fraction: expected a whole number from 1 "
         "to 5, found '4.5'"),
        ("csat", 6, "csat value out of range: expected a whole number from 1 to 5, found '6'"),
        ("health_score", 100.5, "health_score value out of range: expected a number from 0 to "
         "100, found '100.5'"),
    ]  # fmt: skip
    for i, (kind, value, message) in enumerate(cases):
        body = {**nps(f"bad{i}", value), "kind": kind}
        assert refusals(api.post("/api/signals", body)) == [("value", message)], (kind, value)
    assert Signal.objects.count() == 0


def test_every_point_of_each_scale_is_taken(api, ada):
    items = [{**nps(f"n{v}", v), "kind": "nps"} for v in range(11)]
    items += [{**nps(f"c{v}", v), "kind": "csat"} for v in range(1, 6)]
    items += [{**nps("h", 72.5), "kind": "health_score"}, {**nps("a", 3.25), "kind": "activity"}]
    response = api.post("/api/signals/batch", {"items": items})
    assert (response.status_code, response.json()["created"]) == (201, 18)
    assert sorted(Signal.objects.filter(kind="csat").values_list("value", flat=True)) == [
        1.0,
        2.0,
        3.0,
        4.0,
        5.0,
    ]
    assert Signal.objects.get(kind="health_score").value == 72.5


def test_an_exponent_is_not_an_nps(api, ada):
    text = (
        '{"source": "delighted", "key": "e", "kind": "nps", "value": 1e1, '
        f'"occurred_at": "{AT}", "contact": {{"email": "ada@acme.com"}}}}'
    )
    assert refusals(post_raw(api, "/api/signals", text)) == [
        (
            "value",
            "nps is a whole number: written without a decimal point or an exponent: "
            "expected a whole number from 0 to 10, found '10.0'",
        )
    ]
    assert Signal.objects.count() == 0


def test_a_boolean_or_a_text_is_not_a_value(api, ada):
    assert refusals(api.post("/api/signals", nps("t", True))) == [
        ("value", "Value error, expected a number, found true")
    ]
    assert refusals(api.post("/api/signals", nps("s", "9"))) == [
        ("value", 'Value error, expected a number, found "9"')
    ]
    text = (
        '{"source": "d", "key": "n", "kind": "activity", "value": NaN, '
        f'"occurred_at": "{AT}", "contact": {{"email": "ada@acme.com"}}}}'
    )
    assert refusals(post_raw(api, "/api/signals", text)) == [
        ("value", "Value error, expected a finite number, found nan")
    ]
    assert Signal.objects.count() == 0


@time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False)
def test_a_signal_from_1900_9999_or_tomorrow_is_refused(api, ada):
    expected = "expected a moment from 2000-01-01 to 5 minutes after now"
    cases = [
        ("1900-01-01T00:00:00Z", "before 2000-01-01: older than any signal kept", "1900-01-01"),
        ("1999-12-31T23:59:59Z", "before 2000-01-01: older than any signal kept", "1999-12-31"),
        ("9999-12-31T00:00:00Z", "in the future (at most 5 minutes ahead of now)", "9999-12-31"),
        ("2026-03-01T12:05:01Z", "in the future (at most 5 minutes ahead of now)", "2026-03-01"),
    ]
    for i, (at, message, day) in enumerate(cases):
        found = f"'{day}T{at[11:19]}+00:00'"
        assert refusals(api.post("/api/signals", nps(f"d{i}", 9, at))) == [
            ("occurred_at", f"{message}: {expected}, found {found}")
        ], at
    assert Signal.objects.count() == 0
    batch = [nps("edge-low", 9, "2000-01-01T00:00:00Z"), nps("edge-high", 9, "2026-03-01T12:05Z")]
    response = api.post("/api/signals/batch", {"items": batch})
    assert (response.status_code, response.json()["created"]) == (201, 2)


def test_the_floor_is_a_setting(api, ada, settings):
    settings.SIGNAL_EARLIEST = dt.date(1990, 1, 1)
    assert api.post("/api/signals", nps("old", 9, "1995-06-01T00:00:00Z")).status_code == 201
    assert refusals(api.post("/api/signals", nps("older", 9, "1989-12-31T00:00:00Z"))) == [
        (
            "occurred_at",
            "before 1990-01-01: older than any signal kept: expected a moment from 1990-01-01 "
            "to 5 minutes after now, found '1989-12-31T00:00:00+00:00'",
        )
    ]
