"""Who is locked out and until when, read from axes' failure records with axes' own rule, and
unlocking from the service and the `lockouts` command."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command

from advocacy.core.lockout import Lockout, LockoutError, locked_until, lockouts, unlock

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def failures(username: str, count: int, at: datetime, address: str = "10.0.0.1") -> None:
    with time_machine.travel(at, tick=False):
        AccessAttempt.objects.create(
            username=username,
            ip_address=address,
            user_agent=f"agent at {address}",
            http_accept="*/*",
            path_info="/login/",
            get_data="",
            post_data="",
            failures_since_start=count,
        )


def run(*args: str) -> str:
    out = StringIO()
    call_command("lockouts", *args, stdout=out)
    return out.getvalue()


def test_a_lockout_ends_when_the_failure_that_made_it_leaves_the_cool_off() -> None:
    """Three failures from one address, then two from another five minutes later: the five
    count until the first three are fifteen minutes old."""
    failures("member", 3, T0)
    failures("member", 2, T0 + timedelta(minutes=5), "10.0.0.2")
    now = T0 + timedelta(minutes=6)
    assert lockouts(now=now) == [Lockout("member", None, 5, T0 + timedelta(minutes=15))]
    assert locked_until("member", ip_address="10.9.9.9", now=now) == T0 + timedelta(minutes=15)
    assert lockouts(now=T0 + timedelta(minutes=15, seconds=1)) == []


def test_under_the_limit_is_not_a_lockout() -> None:
    failures("member", 4, T0)
    failures("owner", 5, T0)
    assert [lockout.username for lockout in lockouts(now=T0)] == ["owner"]
    assert locked_until("member", ip_address=None, now=T0) is None


def test_locking_by_username_and_address_holds_only_that_address(settings: Any) -> None:
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
    failures("member", 3, T0, "10.0.0.1")
    failures("member", 5, T0, "10.0.0.2")
    assert lockouts(now=T0) == [Lockout("member", "10.0.0.2", 5, T0 + timedelta(minutes=15))]
    assert locked_until("member", ip_address="10.0.0.1", now=T0) is None
    assert locked_until("member", ip_address="10.0.0.2", now=T0) == T0 + timedelta(minutes=15)


def test_unlock_clears_every_address_of_the_username_only(member: Any) -> None:
    failures("member", 3, T0, "10.0.0.1")
    failures("member", 2, T0, "10.0.0.2")
    failures("owner", 5, T0)
    done = unlock("member", actor=None, now=T0)
    assert (done.username, done.was_locked_until, done.cleared) == (
        "member",
        T0 + timedelta(minutes=15),
        2,
    )
    assert sorted(AccessAttempt.objects.values_list("username", flat=True)) == ["owner"]


def test_unlock_of_a_user_not_locked_out_clears_nothing_and_says_so(member: Any) -> None:
    done = unlock("member", actor=None, now=T0)
    assert (done.was_locked_until, done.cleared) == (None, 0)


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("nobody", "no user named 'nobody' and no failed login recorded for that name"),
        ("  ", "username is empty: expected the name of the user to unlock"),
    ],
)
def test_unlock_refuses_an_unknown_or_empty_username(username: str, message: str) -> None:
    failures("member", 5, T0)
    with pytest.raises(LockoutError) as refused:
        unlock(username, actor=None, now=T0)
    assert str(refused.value) == message
    assert AccessAttempt.objects.count() == 1  # nothing else was cleared


def test_unlock_clears_a_made_up_username_that_was_tried(db: None) -> None:
    failures("nobody", 5, T0)
    assert unlock("nobody", actor=None, now=T0).cleared == 1


def test_the_command_lists_lockouts(settings: Any) -> None:
    settings.TIME_ZONE = "UTC"
    failures("member", 5, T0)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        text = run()
        as_json = json.loads(run("list", "--json"))
    assert text.splitlines() == [
        "USERNAME             FAILURES  UNTIL                     ADDRESS",
        "member                      5  2026-03-02T10:15:00+00:00 any",
    ]
    assert as_json == [
        {
            "username": "member",
            "ip_address": None,
            "failures": 5,
            "until": "2026-03-02T10:15:00+00:00",
        }
    ]


def test_the_command_says_when_nobody_is_locked_out(db: None) -> None:
    assert run() == "no username is locked out\n"


def test_the_command_unlocks(member: Any) -> None:
    failures("member", 5, T0)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        assert run("unlock", "member") == "unlocked member: it may log in again now\n"
        assert run("unlock", "member") == (
            "member was not locked out; 0 failed-login record(s) cleared\n"
        )
        failures("member", 2, T0 + timedelta(minutes=1))
        assert json.loads(run("unlock", "member", "--json")) == {
            "username": "member",
            "was_locked_until": None,
            "cleared": 1,
        }


def test_the_command_refuses_an_unknown_username(db: None) -> None:
    with pytest.raises(CommandError) as refused:
        run("unlock", "nobody")
    assert str(refused.value) == (
        "no user named 'nobody' and no failed login recorded for that name"
    )
