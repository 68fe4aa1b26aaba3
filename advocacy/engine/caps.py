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
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Least
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.dateparse import parse_datetime

from advocacy.core.bulk import insert_rows
from advocacy.customers.models import Contact
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


def asks_counted(ask_type: AskType, policy: Policy, now: datetime) -> Any:
    """The contact's asks of this type within its own limit's window (cancelled ones aside)."""
    rules = policy.for_type(ask_type.code)
    asks = Ask.objects.filter(contact=OuterRef("pk"), ask_type=ask_type).exclude(
        status=AskStatus.CANCELLED
    )
    if rules.per_days is not None:
        asks = asks.filter(opened_at__gt=now - timedelta(days=rules.per_days))
    counted = asks.order_by().values("contact").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def asks_allowed(ask_type: AskType, policy: Policy) -> Any:
    """How many asks of this type the contact allows in the window: their own choice, never
    past the policy's limit; the policy's default when they have not said."""
    rules = policy.for_type(ask_type.code)
    assert rules.max_asks is not None
    chosen = AskTypePreference.objects.filter(
        contact=OuterRef("pk"), ask_type=ask_type, max_asks__isnull=False
    ).values("max_asks")[:1]
    default = rules.default_max_asks or rules.max_asks
    own = Subquery(chosen, output_field=IntegerField())
    # No NULL into LEAST: PostgreSQL's skips it (3 for someone who never chose), SQLite's
    # returns it.
    return Least(Coalesce(own, Value(default)), Value(rules.max_asks))


def type_refusals(ask_type: AskType, policy: Policy, now: datetime) -> list[tuple[str, Any]]:
    """(code, where it refuses) of the caps that are the type's own, over a contact queryset:
    the contact's unwillingness, then its limit. The verdict tests them before an ask; a claim
    tests them again once the contact's rows are locked."""
    unwilling = AskTypePreference.objects.filter(
        contact=OuterRef("pk"), ask_type=ask_type, willing=False
    )
    found: list[tuple[str, Any]] = [("not_willing", Exists(unwilling))]
    if policy.for_type(ask_type.code).max_asks is not None:
        limit = GreaterThanOrEqual(
            asks_counted(ask_type, policy, now), asks_allowed(ask_type, policy)
        )
        found.append(("cap_ask_type", limit))
    return found


def _refused_by_type(ids: list[int], ask_type: AskType, policy: Policy, now: datetime) -> set[int]:
    """Of `ids`, those the type's own caps refuse now (`type_refusals`)."""
    refused = Q()
    for _, condition in type_refusals(ask_type, policy, now):
        refused |= Q(condition)
    found: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        contacts = Contact.objects.filter(pk__in=chunk).filter(refused).order_by()
        found.update(contacts.values_list("pk", flat=True))
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
            refused = _refused_by_type(rest, ask_type, policy, now) if rest else set()
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
