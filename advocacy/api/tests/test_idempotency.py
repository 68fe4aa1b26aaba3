"""The Idempotency-Key header: a replay answers the same without writing again."""

import pytest
from django.test import Client

from advocacy.core.models import IdempotencyRecord
from advocacy.customers.models import Account
from advocacy.people.models import Scope

pytestmark = pytest.mark.django_db
KEY = {"Idempotency-Key": "7d3f6a2e-key-1"}


def test_replay_returns_the_same_answer_and_writes_once(api):
    first = api.post("/api/accounts/batch", {"items": [{"name": "Acme"}]}, headers=KEY)
    assert first.status_code == 201
    Account.objects.update(name="Renamed meanwhile")  # a re-run would now update, not create
    second = api.post("/api/accounts/batch", {"items": [{"name": "Acme"}]}, headers=KEY)
    assert second.status_code == 201
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert second["Content-Type"] == "application/json; charset=utf-8"
    assert Account.objects.count() == 1
    assert IdempotencyRecord.objects.get().status_code == 201


def test_same_json_with_other_spacing_or_key_order_is_the_same_request(api):
    api.client.post(
        "/api/accounts",
        '{"name": "Acme", "region": "na"}',
        content_type="application/json",
        headers={**KEY, **api._headers(None)},
    )
    again = api.client.post(
        "/api/accounts",
        '{"region":"na","name":"Acme"}',
        content_type="application/json",
        headers={**KEY, **api._headers(None)},
    )
    assert again["Idempotent-Replayed"] == "true"


def test_same_key_with_another_body_is_refused(api):
    api.post("/api/accounts", {"name": "Acme"}, headers=KEY)
    response = api.post("/api/accounts", {"name": "Globex"}, headers=KEY)
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Idempotency-Key '7d3f6a2e-key-1' was already used for a different request "
        "(POST /api/accounts); send a new key for a new request"
    }
    assert list(Account.objects.values_list("name", flat=True)) == ["Acme"]


def test_same_key_on_another_endpoint_is_refused(api):
    api.post("/api/accounts", {"name": "Acme"}, headers=KEY)
    response = api.post("/api/accounts/batch", {"items": [{"name": "Acme"}]}, headers=KEY)
    assert response.status_code == 422


def test_keys_belong_to_their_user(api, make_client, member):
    api.post("/api/accounts", {"name": "Acme"}, headers=KEY)
    other = make_client(Scope.READ, Scope.CUSTOMERS_WRITE, user=member)
    response = other.post("/api/accounts", {"name": "Globex"}, headers=KEY)
    assert response.status_code == 201
    assert Account.objects.count() == 2


def test_a_failed_request_stores_nothing_and_may_be_retried(api):
    bad = api.post("/api/accounts", {"name": "Acme", "region": "mars"}, headers=KEY)
    assert bad.status_code == 422
    assert IdempotencyRecord.objects.count() == 0
    good = api.post("/api/accounts", {"name": "Acme", "region": "na"}, headers=KEY)
    assert good.status_code == 201


def test_refused_credentials_store_nothing(make_client):
    client = make_client(Scope.READ)
    response = client.post("/api/accounts", {"name": "Acme"}, headers=KEY)
    assert response.status_code == 403
    assert IdempotencyRecord.objects.count() == 0


def test_overlong_key_is_refused(api):
    response = api.post("/api/accounts", {"name": "Acme"}, headers={"Idempotency-Key": "k" * 256})
    assert response.status_code == 422
    assert response.json() == {"detail": "Idempotency-Key must be 1 to 255 characters, found 256"}


def test_session_writes_are_idempotent_too(member):
    client = Client()
    client.force_login(member)
    for _ in range(2):
        response = client.post(
            "/api/accounts", {"name": "Acme"}, content_type="application/json", headers=KEY
        )
        assert response.status_code == 201
    assert Account.objects.count() == 1


def test_reads_ignore_the_header(api):
    api.get("/api/accounts", headers=KEY)
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_duplicates_write_once(postgres_only, api, monkeypatch):
    """GIVEN two identical requests at once WHEN the first is still writing THEN the second
    waits on the unique constraint and replays the first's answer."""
    import threading
    import time

    from django.db import connection

    from advocacy.api.routers import accounts

    real = accounts.upsert_accounts

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(accounts, "upsert_accounts", slow)
    answers = []

    def send():
        try:
            answers.append(
                api.post("/api/accounts/batch", {"items": [{"name": "Acme"}]}, headers=KEY)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].content == answers[1].content
    assert sorted(a.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]
    assert Account.objects.count() == 1


def test_a_replay_is_refused_to_a_key_without_the_scope(api, make_client):
    """The same user's read-only key gets 403, not the stored 201 of the all-scope key."""
    assert api.post("/api/accounts", {"name": "Acme"}, headers=KEY).status_code == 201
    read_only = make_client(Scope.READ)
    response = read_only.post("/api/accounts", {"name": "Acme"}, headers=KEY)
    assert response.status_code == 403
    assert "Idempotent-Replayed" not in response
    assert response.json()["detail"].startswith("missing scope 'customers:write'")


def test_a_replay_is_refused_to_a_role_that_may_not_write(api, make_client, viewer):
    assert api.post("/api/accounts", {"name": "Acme"}, headers=KEY).status_code == 201
    other = make_client(*Scope.values, user=viewer)
    response = other.post("/api/accounts", {"name": "Acme"}, headers=KEY)
    assert response.status_code == 403
    assert "may not create and update accounts and contacts" in response.json()["detail"]


def test_a_replay_is_refused_to_a_session_without_a_csrf_token(owner):
    """A session's first write and its replay both need the CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    client.get("/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    body = '{"name": "Acme"}'
    headers = {**KEY, "X-CSRFToken": token}
    first = client.post("/api/accounts", body, content_type="application/json", headers=headers)
    assert first.status_code == 201
    replay = client.post("/api/accounts", body, content_type="application/json", headers=KEY)
    assert replay.status_code == 403
    assert "CSRF" in replay.json()["detail"]
    with_token = client.post(
        "/api/accounts", body, content_type="application/json", headers=headers
    )
    assert (with_token.status_code, with_token["Idempotent-Replayed"]) == (201, "true")
