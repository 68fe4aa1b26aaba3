"""Login throttling (ASVS V2.2.1): after five failed logins in a row a username is locked out for
fifteen minutes, even the right password is refused, and the page says so and for how long."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from advocacy.core.lockout import unlock

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
RIGHT = "correct horse battery"


def login(client: Client, password: str, username: str = "member", **extra: Any) -> Any:
    return client.post(reverse("web:login"), {"username": username, "password": password}, **extra)


def fail(client: Client, times: int, username: str = "member", **extra: Any) -> list[int]:
    return [login(client, "wrong", username, **extra).status_code for _ in range(times)]


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_fifth_failure_locks_the_username_and_the_right_password_is_refused(
    client: Client, member: Any
) -> None:
    with time_machine.travel(T0, tick=False):
        assert fail(client, 4) == [200, 200, 200, 200]
        fifth = login(client, "wrong")
        right = login(client, RIGHT)
        assert not logged_in(client)
    for response in (fifth, right):
        html = response.content.decode()
        assert (response.status_code, response["Retry-After"]) == (429, "900")
        assert 'data-testid="locked-out"' in html
        assert (
            "Too many failed logins for <strong>member</strong>: after 5 in a row the account "
            "is locked for 15 minutes."
        ) in html
        assert (
            'You can log in again in 15 minutes, at <time datetime="2026-03-02T10:15:00+00:00">'
            "10:15 UTC</time>. Until then even the right password is refused."
        ) in html
        assert "advocacy lockouts unlock member" in html


def test_the_page_counts_down_and_the_lockout_ends_after_the_cool_off(
    client: Client, member: Any
) -> None:
    with time_machine.travel(T0, tick=False):
        fail(client, 5)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        response = login(client, RIGHT)
        assert (response.status_code, response["Retry-After"]) == (429, "300")
        assert "You can log in again in 5 minutes, at <time" in response.content.decode()
    with time_machine.travel(T0 + timedelta(minutes=15, seconds=1), tick=False):
        response = login(client, RIGHT)
        assert (response.status_code, response["Location"]) == (302, reverse("web:home"))
        assert logged_in(client)


def test_attempts_during_the_lockout_do_not_extend_it(client: Client, member: Any) -> None:
    with time_machine.travel(T0, tick=False):
        fail(client, 5)
    with time_machine.travel(T0 + timedelta(minutes=14), tick=False):
        assert fail(client, 3) == [429, 429, 429]
    with time_machine.travel(T0 + timedelta(minutes=15, seconds=1), tick=False):
        assert login(client, RIGHT).status_code == 302


def test_forty_wrong_passwords_then_the_right_one_does_not_log_in(
    client: Client, member: Any
) -> None:
    """The finding of the review, replayed."""
    with time_machine.travel(T0, tick=False):
        answers = fail(client, 40)
        forty_first = login(client, RIGHT)
        assert not logged_in(client)
    assert answers == [200] * 4 + [429] * 36
    assert forty_first.status_code == 429


def test_changing_address_and_browser_does_not_reset_the_count(client: Client, member: Any) -> None:
    with time_machine.travel(T0, tick=False):
        answers = [
            login(
                client, "wrong", REMOTE_ADDR=f"10.0.0.{n}", HTTP_USER_AGENT=f"agent {n}"
            ).status_code
            for n in range(1, 6)
        ]
        right = login(client, RIGHT, REMOTE_ADDR="10.9.9.9", HTTP_USER_AGENT="another")
    assert answers == [200, 200, 200, 200, 429]
    assert right.status_code == 429


def test_a_successful_login_clears_the_count(member: Any) -> None:
    with time_machine.travel(T0, tick=False):
        assert fail(Client(), 4) == [200] * 4
        assert login(Client(), RIGHT).status_code == 302
        assert fail(Client(), 4) == [200] * 4


def test_failures_older_than_the_cool_off_no_longer_count(client: Client, member: Any) -> None:
    with time_machine.travel(T0, tick=False):
        fail(client, 4)
    with time_machine.travel(T0 + timedelta(minutes=16), tick=False):
        assert fail(client, 4) == [200] * 4
        assert login(client, RIGHT).status_code == 302


def test_another_user_at_the_same_address_still_logs_in(
    client: Client, member: Any, owner: Any
) -> None:
    with time_machine.travel(T0, tick=False):
        fail(client, 5)
        response = login(Client(), RIGHT, "owner")
    assert response.status_code == 302


def test_an_unknown_username_is_locked_out_alike(client: Client, db: None) -> None:
    """The lockout page must not tell an existing account from a made-up one."""
    with time_machine.travel(T0, tick=False):
        assert fail(client, 5, "nobody") == [200, 200, 200, 200, 429]


def test_unlock_lets_the_user_in_at_once(client: Client, member: Any, owner: Any) -> None:
    with time_machine.travel(T0, tick=False):
        fail(client, 5)
        done = unlock("member", actor=owner, now=T0)
        response = login(client, RIGHT)
    assert (done.was_locked_until, done.cleared) == (T0 + timedelta(minutes=15), 1)
    assert response.status_code == 302


def test_limit_and_cool_off_come_from_the_settings(
    settings: Any, client: Client, member: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    with time_machine.travel(T0, tick=False):
        answers = fail(client, 2)
        html = login(client, RIGHT).content.decode()
    assert answers == [200, 429]
    assert "after 2 in a row the account is locked for 1 minute." in html
    assert "You can log in again in 1 minute, at" in html
    with time_machine.travel(T0 + timedelta(minutes=1, seconds=1), tick=False):
        assert login(client, RIGHT).status_code == 302


def test_locking_by_username_and_address_spares_other_addresses(
    settings: Any, client: Client, member: Any
) -> None:
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
    with time_machine.travel(T0, tick=False):
        assert fail(client, 5, REMOTE_ADDR="10.0.0.1") == [200, 200, 200, 200, 429]
        assert login(client, RIGHT, REMOTE_ADDR="10.0.0.1").status_code == 429
        assert login(client, RIGHT, REMOTE_ADDR="10.0.0.2").status_code == 302


def test_api_keys_are_not_logins_and_are_not_throttled(member: Any, db: None) -> None:
    from advocacy.people.services import issue_api_key

    _, secret = issue_api_key("member", name="crm", scopes=["read"], actor=None, now=T0)
    api = Client()
    with time_machine.travel(T0, tick=False):
        bad = [
            api.get("/api/accounts", HTTP_AUTHORIZATION="Bearer adv_wrong").status_code
            for _ in range(10)
        ]
        good = api.get("/api/accounts", HTTP_AUTHORIZATION=f"Bearer {secret}")
        web = login(Client(), RIGHT)
    assert bad == [401] * 10
    assert good.status_code == 200
    assert web.status_code == 302
