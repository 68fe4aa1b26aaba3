"""Idle timeout (ASVS V3.3.2): a session left alone past ADVOCACY_SESSION_IDLE_MINUTES (30) is
sent to the login page; one in use stays logged in however long it lasts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from advocacy.web.tests.conftest import HTMX

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PAGE = reverse("web:contacts")
TO_LOGIN = f"{reverse('web:login')}?next={PAGE}"


def at(minutes: float) -> Any:
    return time_machine.travel(T0 + timedelta(minutes=minutes), tick=False)


def test_a_session_idle_past_the_limit_is_sent_to_the_login_page(
    client: Client, member: Any
) -> None:
    with at(0):
        client.force_login(member)
        assert client.get(PAGE).status_code == 200
    with at(30 + 1 / 60):
        response = client.get(PAGE)
        assert (response.status_code, response["Location"]) == (302, TO_LOGIN)
        assert "_auth_user_id" not in client.session


def test_a_session_in_use_stays_logged_in(client: Client, member: Any) -> None:
    with at(0):
        client.force_login(member)
    for minutes in (29, 58, 87, 116, 145):  # each request within 30 minutes of the last
        with at(minutes):
            assert client.get(PAGE).status_code == 200
    with at(145 + 31):
        assert client.get(PAGE).status_code == 302


def test_the_cookie_lasts_as_long_as_the_idle_limit(client: Client, member: Any) -> None:
    with at(0):
        client.force_login(member)
    with at(1):
        response = client.get(PAGE)
    assert response.cookies["sessionid"]["max-age"] == 1800


def test_a_session_is_saved_once_a_minute_not_with_every_request(
    client: Client, member: Any
) -> None:
    def expiry() -> datetime:
        return Session.objects.get(session_key=client.session.session_key).expire_date

    with at(0):
        client.force_login(member)
    with at(0.5):
        assert "sessionid" not in client.get(PAGE).cookies
        assert expiry() == T0 + timedelta(minutes=30)
    with at(1):
        assert client.get(PAGE).cookies["sessionid"]["max-age"] == 1800
        assert expiry() == T0 + timedelta(minutes=31)


def test_a_session_is_saved_within_a_tenth_of_a_short_limit(
    settings: Any, client: Client, member: Any
) -> None:
    settings.SESSION_COOKIE_AGE = 5 * 60
    with at(0):
        client.force_login(member)
    with at(0.4):
        assert "sessionid" not in client.get(PAGE).cookies
    with at(0.5):
        assert client.get(PAGE).cookies["sessionid"]["max-age"] == 300


def test_the_limit_comes_from_the_settings(settings: Any, client: Client, member: Any) -> None:
    settings.SESSION_COOKIE_AGE = 5 * 60
    with at(0):
        client.force_login(member)
    with at(4):
        assert client.get(PAGE).status_code == 200
    with at(9 + 1 / 60):
        assert client.get(PAGE).status_code == 302


def test_an_htmx_request_after_the_timeout_loads_the_login_page_whole(
    client: Client, member: Any
) -> None:
    with at(0):
        client.force_login(member)
    with at(31):
        response = client.get(PAGE, {"q": "ada"}, **HTMX)
    assert (response.status_code, response["HX-Redirect"]) == (
        200,
        f"{reverse('web:login')}?next={PAGE}%3Fq%3Dada",
    )


def test_an_htmx_request_in_session_is_answered_as_usual(client: Client, member: Any) -> None:
    client.force_login(member)
    response = client.get(PAGE, **HTMX)
    assert response.status_code == 200
    assert "HX-Redirect" not in response
