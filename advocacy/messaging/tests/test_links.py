"""Magic links: genuine ones read back, altered or old ones are refused with their reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from advocacy.messaging.links import ENTER, LinkError, link_path, link_token, link_url, read_link

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def test_a_token_reads_back_what_it_was_made_with() -> None:
    with time_machine.travel(T0, tick=False):
        token = link_token(42, ask_id=7)
        claim = read_link(token)
    assert (claim.contact_id, claim.ask_id, claim.issued_at) == (42, 7, T0)
    assert len(claim.nonce) >= 16


def test_each_link_is_a_new_one() -> None:
    first, second = read_link(link_token(1)), read_link(link_token(1))
    assert first.nonce != second.nonce and first.ask_id is None


def test_the_path_and_the_url(settings: Any) -> None:
    settings.SITE_URL = "https://advocates.example.com"
    path = link_path(3)
    assert path.startswith(ENTER) and path.endswith("/")
    assert read_link(path[len(ENTER) : -1]).contact_id == 3
    assert link_url(3).startswith("https://advocates.example.com/portal/enter/")


def test_a_link_expires_after_the_setting(settings: Any) -> None:
    settings.PORTAL_LINK_DAYS = 2
    with time_machine.travel(T0, tick=False):
        token = link_token(5)
    with time_machine.travel(T0 + timedelta(days=2) - timedelta(seconds=1), tick=False):
        assert read_link(token).contact_id == 5
    with (
        time_machine.travel(T0 + timedelta(days=2, seconds=1), tick=False),
        pytest.raises(LinkError, match="expired") as refused,
    ):
        read_link(token)
    assert refused.value.reason == "expired"


@pytest.mark.parametrize(
    "alter",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature changed
        lambda t: "x" + t,  # the payload changed
        lambda t: "not-a-token",
        lambda t: "",
    ],
)
def test_an_altered_link_is_refused_as_forged(alter: Any) -> None:
    with pytest.raises(LinkError) as refused:
        read_link(alter(link_token(9)))
    assert refused.value.reason == "forged"


def test_a_link_signed_with_another_key_is_forged(settings: Any) -> None:
    token = link_token(9)
    settings.SECRET_KEY = "another-secret-key-entirely-for-this-test"
    with pytest.raises(LinkError, match="not one we sent"):
        read_link(token)
