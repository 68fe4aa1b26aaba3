"""Login lockouts: who is locked out, until when, and unlocking (docs/security.md).

django-axes counts failed logins (`AccessAttempt`, one row per username, address and browser)
and refuses a login while the failures within the cool-off reach the limit
(`ADVOCACY_LOGIN_FAILURE_LIMIT`, `ADVOCACY_LOGIN_COOLOFF_MINUTES`). This module reads the same
rows with the same rule to say when a lockout ends, and clears them through axes to unlock.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import get_user_model


class LockoutError(ValueError):
    """An unlock that cannot be done (no such user)."""


@dataclass(frozen=True)
class Lockout:
    username: str
    ip_address: str | None  # the address locked out with it, when locking by both
    failures: int
    until: datetime


@dataclass(frozen=True)
class Unlocked:
    username: str
    was_locked_until: datetime | None  # None: it was not locked out
    cleared: int  # failure records removed


def failure_limit() -> int:
    return int(settings.AXES_FAILURE_LIMIT)


def cool_off() -> timedelta:
    value = settings.AXES_COOLOFF_TIME
    assert isinstance(value, timedelta), "AXES_COOLOFF_TIME is set as a timedelta in settings"
    return value


def by_address() -> bool:
    """True when a lockout holds a username only from the address that failed."""
    return settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def _until(rows: list[tuple[datetime, int]]) -> tuple[datetime, int] | None:
    """When the lockout over these failure rows ends, and the failures that make it.

    axes counts the failures of the rows whose last failure is within the cool-off. Newest
    first, the row at which the count reaches the limit is the one whose leaving the window
    ends the lockout; None when the rows never reach it.
    """
    count = 0
    for attempt_time, failures in sorted(rows, reverse=True):
        count += failures
        if count >= failure_limit():
            return attempt_time + cool_off(), sum(f for _, f in rows)
    return None


def lockouts(*, now: datetime, username: str | None = None) -> list[Lockout]:
    """Every lockout in force at `now` (of one username when given), soonest to end first."""
    attempts = AccessAttempt.objects.filter(
        attempt_time__gte=now - cool_off(), attempt_time__lte=now
    )
    if username is not None:
        attempts = attempts.filter(username=username)
    groups: dict[tuple[str, str | None], list[tuple[datetime, int]]] = defaultdict(list)
    for name, address, attempt_time, failures in attempts.values_list(
        "username", "ip_address", "attempt_time", "failures_since_start"
    ):
        if name is None:
            continue
        groups[(name, address if by_address() else None)].append((attempt_time, failures))
    found = []
    for (name, address), rows in groups.items():
        ends = _until(rows)
        if ends is not None and ends[0] >= now:
            found.append(Lockout(name, address, ends[1], ends[0]))
    return sorted(found, key=lambda lockout: (lockout.until, lockout.username))


def locked_until(username: str, *, ip_address: str | None, now: datetime) -> datetime | None:
    """When the lockout of `username` (from `ip_address`, when locking by both) ends."""
    for lockout in lockouts(now=now, username=username):
        if lockout.ip_address is None or lockout.ip_address == ip_address:
            return lockout.until
    return None


def unlock(username: str, *, actor: Any, now: datetime) -> Unlocked:
    """Clear every failed login recorded for `username`, from every address: it may log in at
    once and has the full number of tries again. `actor` is the admin doing it (None for the
    command line)."""
    username = username.strip()
    if not username:
        raise LockoutError("username is empty: expected the name of the user to unlock")
    current = [lockout.until for lockout in lockouts(now=now, username=username)]
    cleared = reset(username=username)
    if not cleared:
        model = get_user_model()
        if not model._default_manager.filter(**{model.USERNAME_FIELD: username}).exists():
            raise LockoutError(
                f"no user named {username!r} and no failed login recorded for that name"
            )
    return Unlocked(username, max(current) if current else None, cleared)
