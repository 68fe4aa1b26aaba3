"""Tap caps, held by the database: one function claims them, for every path that opens an ask.

A claim is a conditional UPDATE on the (contact, effort) row: it succeeds only where the next
allowed moment has passed, and it moves that moment forward in the same statement. Under
concurrency the database decides: on PostgreSQL the second writer waits for the row lock and then
re-checks the condition; on SQLite writers are serialised by IMMEDIATE transactions. Either way
exactly one of two racing asks gets the slot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import connection

from advocacy.core.bulk import insert_rows
from advocacy.engine.models import ContactPreference, TapClaim
from advocacy.engine.policy import DEFAULT_POLICY, Policy

CHUNK = 5000


def windows(contact_ids: Collection[int], effort: str, policy: Policy) -> dict[int, int]:
    """Days between asks of `effort` per contact: the policy's, lengthened by own preferences."""
    base = policy.cap_for(effort)
    result = dict.fromkeys(contact_ids, base)
    # Plain SQL: the ORM would prepare each of thousands of ids one by one.
    table = connection.ops.quote_name(ContactPreference._meta.db_table)
    ids = sorted(result)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            cursor.execute(
                f"SELECT contact_id, min_days_between FROM {table} WHERE effort = %s "
                f"AND min_days_between > %s AND contact_id IN ({', '.join(['%s'] * len(chunk))})",
                [effort, base, *chunk],
            )
            result.update(dict(cursor.fetchall()))
    return result


def claim_taps(
    contact_ids: Iterable[int],
    effort: str,
    *,
    now: datetime,
    policy: Policy = DEFAULT_POLICY,
    override: bool = False,
) -> set[int]:
    """Claim the next `effort` ask for each contact; return the ids that got it.

    Must run inside the transaction that creates the asks, so a failure releases the claims.
    With `override`, the window is ignored (the caller records who overrode it and why).
    """
    ids = sorted(set(contact_ids))
    if not ids:
        return set()
    insert_rows(
        TapClaim,
        ("contact_id", "effort"),
        [(i, effort) for i in ids],
        conflict="ON CONFLICT (contact_id, effort) DO NOTHING",
    )
    by_window: dict[int, list[int]] = defaultdict(list)
    for contact_id, days in windows(ids, effort, policy).items():
        by_window[days].append(contact_id)
    table = connection.ops.quote_name(TapClaim._meta.db_table)
    granted: set[int] = set()
    with connection.cursor() as cursor:
        for days, group in by_window.items():
            for start in range(0, len(group), CHUNK):
                chunk = group[start : start + CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                condition = (
                    "" if override else "AND (next_allowed_at IS NULL OR next_allowed_at <= %s)"
                )
                params: list[Any] = [now, now + timedelta(days=days), effort, *chunk]
                if not override:
                    params.append(now)
                cursor.execute(
                    f"UPDATE {table} SET last_tapped_at = %s, next_allowed_at = %s "
                    f"WHERE effort = %s AND contact_id IN ({marks}) {condition} "
                    "RETURNING contact_id",
                    params,
                )
                granted.update(row[0] for row in cursor.fetchall())
    return granted


def next_allowed(contact_id: int) -> dict[str, datetime | None]:
    """When each effort class may next be asked of this contact (None: now)."""
    return dict(
        TapClaim.objects.filter(contact_id=contact_id).values_list("effort", "next_allowed_at")
    )
