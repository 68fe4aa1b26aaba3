"""Tap caps, held by the database: one function claims them, for every path that opens an ask.

Two kinds of limit hold an ask of a type (seed 002, seed 001, seed 003; docs/policy.md):

- **effort windows**: one `TapClaim` row per (contact, effort) with the moment the next ask that
  window covers is allowed. A window covers every ask of its effort *or higher*, so an ask of
  effort E needs every window up to E open, and taking it restarts all of them;
- **the type's own limit** (`max_asks` per `per_days` in the policy, tightened by the
  advocate's own `AskTypePreference`): counted from the asks of that type.

A claim first locks the contact's rows (`SELECT … FOR UPDATE` on PostgreSQL, in one order so
two claims never deadlock; SQLite serialises writers with IMMEDIATE transactions), then decides
and moves the windows in the same transaction that creates the asks. Of two racing asks for one
contact, exactly one gets the slot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.utils.dateparse import parse_datetime

from advocacy.core.bulk import insert_rows
from advocacy.engine.models import AskTypePreference, ContactPreference, TapClaim
from advocacy.engine.policy import DEFAULT_POLICY, EFFORTS, Policy
from advocacy.pipeline.models import Ask, AskStatus, AskType

CHUNK = 5000


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


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
                f"AND min_days_between > %s AND contact_id IN ({_marks(len(chunk))})",
                [effort, base, *chunk],
            )
            result.update(dict(cursor.fetchall()))
    return result


def covering(ask_type: AskType, policy: Policy) -> tuple[str, ...]:
    """The effort windows that hold an ask of this type (its own and every lower one)."""
    if not policy.for_type(ask_type.code).effort_cap:
        return ()
    return EFFORTS[: EFFORTS.index(ask_type.effort) + 1]


def _lock(cursor: Any, ids: list[int], efforts: tuple[str, ...]) -> list[tuple[int, str, Any, Any]]:
    """Lock and read the contacts' rows of `efforts` (creating missing ones first)."""
    insert_rows(
        TapClaim,
        ("contact_id", "effort"),
        [(i, e) for i in ids for e in efforts],
        conflict="ON CONFLICT (contact_id, effort) DO NOTHING",
    )
    table = connection.ops.quote_name(TapClaim._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    rows: list[tuple[int, str, Any, Any]] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        cursor.execute(
            f"SELECT contact_id, effort, next_allowed_at, last_tapped_at FROM {table} "
            f"WHERE contact_id IN ({_marks(len(chunk))}) AND effort IN ({_marks(len(efforts))}) "
            f"ORDER BY contact_id, effort{lock}",
            [*chunk, *efforts],
        )
        rows += cursor.fetchall()
    return rows


def _over_limit(
    cursor: Any, ids: list[int], ask_type: AskType, policy: Policy, now: datetime
) -> set[int]:
    """Of `ids`, those who have had as many asks of this type as its limit allows them."""
    rules = policy.for_type(ask_type.code)
    if rules.max_asks is None or not ids:
        return set()
    default = rules.default_max_asks or rules.max_asks
    asks = connection.ops.quote_name(Ask._meta.db_table)
    prefs = connection.ops.quote_name(AskTypePreference._meta.db_table)
    since = "" if rules.per_days is None else "AND opened_at > %s "
    over: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        params: list[Any] = [ask_type.pk, AskStatus.CANCELLED]
        if rules.per_days is not None:
            params.append(now - timedelta(days=rules.per_days))
        params += [*chunk, ask_type.pk]
        cursor.execute(
            f"SELECT a.contact_id, COUNT(*), MIN(p.max_asks) FROM {asks} a "
            f"LEFT JOIN {prefs} p ON p.contact_id = a.contact_id AND p.ask_type_id = %s "
            f"WHERE a.status <> %s {since}AND a.contact_id IN ({_marks(len(chunk))}) "
            "AND a.ask_type_id = %s GROUP BY a.contact_id",
            params,
        )
        for contact_id, count, chosen in cursor.fetchall():
            allowed = default if chosen is None else min(chosen, rules.max_asks)
            if count >= allowed:
                over.add(contact_id)
        # Who chose none at all is over the limit before any ask.
        cursor.execute(
            f"SELECT contact_id FROM {prefs} WHERE ask_type_id = %s AND max_asks = 0 "
            f"AND contact_id IN ({_marks(len(chunk))})",
            [ask_type.pk, *chunk],
        )
        over.update(row[0] for row in cursor.fetchall())
    return over


def _unwilling(cursor: Any, ids: list[int], ask_type: AskType) -> set[int]:
    prefs = connection.ops.quote_name(AskTypePreference._meta.db_table)
    found: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        cursor.execute(
            f"SELECT contact_id FROM {prefs} WHERE ask_type_id = %s AND willing = %s "
            f"AND contact_id IN ({_marks(len(chunk))})",
            [ask_type.pk, False, *chunk],
        )
        found.update(row[0] for row in cursor.fetchall())
    return found


def claim_taps(
    contact_ids: Iterable[int],
    ask_type: AskType,
    *,
    now: datetime,
    policy: Policy = DEFAULT_POLICY,
    override: bool = False,
    continuing: Mapping[int, datetime] | None = None,
) -> set[int]:
    """Claim the next `ask_type` ask for each contact; return the ids that got it.

    Must run inside the transaction that creates the asks, so a failure releases the claims.
    With `override`, the windows and the limit are ignored (the caller records who overrode
    them and why); a window is restarted all the same. `continuing` maps a contact to the
    moment of the ask this one continues (the fallback of a declined ask): windows that ask
    started are no new tap and do not hold this one.
    """
    ids = sorted(set(contact_ids))
    if not ids:
        return set()
    efforts = covering(ask_type, policy)
    with connection.cursor() as cursor:
        # Even a type outside the windows locks the contact's lowest row: its own limit is
        # counted from asks, and two counts for one contact must not interleave.
        rows = _lock(cursor, ids, efforts or EFFORTS[:1])
        if override:
            granted = set(ids)
        else:
            same = continuing or {}
            shut = {
                c
                for c, e, until, tapped in rows
                if e in efforts
                and until is not None
                and until > now
                and not (c in same and _same_moment(tapped, same[c]))
            }
            rest = [i for i in ids if i not in shut]
            refused = _unwilling(cursor, rest, ask_type) | _over_limit(
                cursor, rest, ask_type, policy, now
            )
            granted = {i for i in rest if i not in refused}
        table = connection.ops.quote_name(TapClaim._meta.db_table)
        for effort in efforts:
            by_window: dict[int, list[int]] = defaultdict(list)
            for contact_id, days in windows(granted, effort, policy).items():
                by_window[days].append(contact_id)
            for days, group in by_window.items():
                for start in range(0, len(group), CHUNK):
                    chunk = group[start : start + CHUNK]
                    cursor.execute(
                        f"UPDATE {table} SET last_tapped_at = %s, next_allowed_at = %s "
                        f"WHERE effort = %s AND contact_id IN ({_marks(len(chunk))})",
                        [now, now + timedelta(days=days), effort, *chunk],
                    )
    return granted


def _same_moment(stored: Any, moment: datetime) -> bool:
    """A timestamp read by plain SQL (SQLite: text in UTC) is `moment`."""
    if stored is None:
        return False
    if isinstance(stored, str):
        stored = parse_datetime(stored)
        if stored is not None and stored.tzinfo is None:
            stored = stored.replace(tzinfo=UTC)
    return bool(stored == moment)


def next_allowed(contact_id: int) -> dict[str, datetime | None]:
    """When each effort class may next be asked of this contact (None: now)."""
    return dict(
        TapClaim.objects.filter(contact_id=contact_id).values_list("effort", "next_allowed_at")
    )
