"""Keep the ContactProfile table in step with the signals, set-based, a chunk at a time.

Each chunk of contacts is read first, outside any write transaction, into temporary tables of
this connection (so no other writer waits for the reading):

1. the account-level columns (`profile.ACCOUNT_COLUMNS`) of the chunk's accounts, each lookup
   on the signal log once per account, not once per contact;
2. the profile rows (`ProfileRow`): each contact-level lookup once per contact, joined to its
   account's row;
3. the profiles as they will be stored: stage, rung and `ready` (the ask types whose verdict
   lets an ask through now: every rule met, none open, no cap in force; the same verdict plays
   are decided by, `advocacy.engine.readiness`), computed over those plain columns. Its SQL is
   built once per refresh: it reads the whole table of rows, whichever the chunk.

Then one short transaction per chunk copies the chunk into ContactProfile (INSERT … SELECT …
ON CONFLICT DO UPDATE) with its progress: the only time the refresh holds the write lock
(SQLite has one writer at a time). Works unchanged on SQLite (3.24+) and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, CharField, F, Func, Q, QuerySet, Value, When
from django.db.models.lookups import Exact

from advocacy.customers.models import Account, Contact
from advocacy.engine.models import ContactProfile, ProfileRow
from advocacy.engine.policy import DEFAULT_POLICY, Policy
from advocacy.engine.profile import (
    ACCOUNT_COLUMNS,
    account_annotations,
    contact_annotations,
    derived_annotations,
)
from advocacy.engine.readiness import OK, verdict
from advocacy.pipeline.models import AskType
from advocacy.signals.models import Signal

COLUMNS = (
    "account_id",
    "nps",
    "nps_at",
    "health",
    "open_tickets",
    "last_activity_at",
    "activities_12m",
    "stage",
    "rung",
    "ready",
    "as_of",
)


def _ready_expression(now: datetime, policy: Policy) -> Any:
    """'code,' for each ask type the contact is ready for: the types whose verdict
    (advocacy.engine.readiness, the one plays are decided by) lets an ask through now."""
    parts: list[Any] = [
        Case(
            When(Exact(verdict(t, policy, now), Value(OK)), then=Value(f"{t.code},")),
            default=Value(""),
            output_field=CharField(),
        )
        for t in AskType.objects.filter(active=True).order_by("code")
    ]
    if not parts:
        return Value("", output_field=CharField())
    return Joined(*parts)


class Joined(Func):
    """`a || b || c`: text joined flat. Django's Concat nests a pair per argument, and a dozen
    nested CASEs overflow SQLite's parser; every part here is text, never NULL."""

    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = CharField()


ROW_FIELDS: tuple[str, ...] = tuple(
    str(f.column)
    for f in ProfileRow._meta.concrete_fields
    if f.column not in ("contact_id", "account_id")
)
CONTACT_FIELDS = tuple(n for n in ROW_FIELDS if n not in ACCOUNT_COLUMNS)
ACCOUNT_ROWS = "engine_profile_account_row"
READY_ROWS = "engine_profile_ready_row"
CHUNK = 5_000


def _q(name: str) -> str:
    return str(connection.ops.quote_name(name))


def _temporary_table(cursor: Any, name: str, columns: Iterable[tuple[str, Any]]) -> str:
    """Create the per-connection table `name` if need be (its first column the key), empty."""
    defs = [f"{_q(column)} {field.db_type(connection)}" for column, field in columns]
    defs[0] += " PRIMARY KEY"
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {_q(name)} ({', '.join(defs)})")
    cursor.execute(f"DELETE FROM {_q(name)}")
    return _q(name)


def _row_table(cursor: Any) -> str:
    """Create the per-connection table of profile rows if need be, empty; returns its name."""
    fields = ProfileRow._meta.concrete_fields
    return _temporary_table(cursor, ProfileRow._meta.db_table, [(str(f.column), f) for f in fields])


def fill_rows(cursor: Any, contacts: QuerySet[Contact], now: datetime) -> str:
    """Read each contact's profile columns from the signal log as of `now` into the table of
    profile rows, each lookup once: the account-level ones once per account of the chunk;
    returns the table's name."""
    accounts = _temporary_table(
        cursor,
        ACCOUNT_ROWS,
        [("account_id", ProfileRow._meta.get_field("account_id"))]
        + [(n, ProfileRow._meta.get_field(n)) for n in ACCOUNT_COLUMNS],
    )
    sql, params = (
        Account.objects.filter(pk__in=contacts.values("account_id"))
        .order_by()
        .annotate(**{f"_{n}": e for n, e in account_annotations(now, "pk").items()})
        .values("pk", *[f"_{n}" for n in ACCOUNT_COLUMNS])
        .query.sql_with_params()
    )
    picked = ", ".join(f"q.{_q(c)}" for c in ("pk", *[f"_{n}" for n in ACCOUNT_COLUMNS]))
    cursor.execute(f"INSERT INTO {accounts} SELECT {picked} FROM ({sql}) q", params)

    table = _row_table(cursor)
    own = contact_annotations(now)
    lookups = {name: own[name] if name in own else F(name) for name in CONTACT_FIELDS}
    sql, params = (
        contacts.annotate(**{f"_{n}": e for n, e in lookups.items()})
        .values("pk", "account_id", *[f"_{n}" for n in CONTACT_FIELDS])
        .query.sql_with_params()
    )
    names = ("contact_id", "account_id", *CONTACT_FIELDS, *ACCOUNT_COLUMNS)
    picked = ", ".join(
        [f"q.{_q(c)}" for c in ("pk", "account_id")]
        + [f"q.{_q('_' + n)}" for n in CONTACT_FIELDS]
        # No account row cannot happen (every contact has an account); as the lookups would.
        + [
            f"COALESCE(a.{_q(n)}, 0)" if n == "open_tickets" else f"a.{_q(n)}"
            for n in ACCOUNT_COLUMNS
        ]
    )
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(_q(c) for c in names)}) SELECT {picked} "
        f"FROM ({sql}) q LEFT JOIN {accounts} a ON a.{_q('account_id')} = q.{_q('account_id')}",
        params,
    )
    return table


def profile_rows(now: datetime, policy: Policy) -> QuerySet[Any]:
    """The profiles of the contacts in the table of profile rows, with stage, rung and ready."""
    qs = ProfileRow.objects.annotate(**derived_annotations(now, policy))
    qs = qs.annotate(ready=_ready_expression(now, policy), as_of=Value(now))
    return qs.values("pk", *COLUMNS)


def _batches(contact_ids: Iterable[int] | None, chunk: int) -> list[QuerySet[Contact]]:
    if contact_ids is None:
        top = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        return [
            Contact.objects.filter(pk__gte=lo, pk__lt=lo + chunk).order_by()
            for lo in range(0, top + 1, chunk)
        ]
    ids = sorted(set(contact_ids))
    return [
        Contact.objects.filter(pk__in=ids[i : i + chunk]).order_by()
        for i in range(0, len(ids), chunk)
    ]


def refresh_profiles(
    *,
    now: datetime,
    contact_ids: Iterable[int] | None = None,
    policy: Policy = DEFAULT_POLICY,
    chunk: int = CHUNK,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Rewrite the profiles of the given contacts (all when None); returns how many.

    Each chunk is read into temporary tables first, then copied into ContactProfile in a
    transaction of its own, so the refresh holds the write lock only for the copy, and
    `progress(profiles written, contacts in all)` after each chunk tells the truth; every
    profile says the moment it is as of.
    """
    stored = ContactProfile._meta
    ready_rows = READY_ROWS
    columns = [("contact_id", stored.get_field("contact"))] + [
        (c, stored.get_field(c)) for c in COLUMNS
    ]
    cols = ", ".join(_q(c) for c, _ in columns)
    updates = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in (*COLUMNS, "ready_count"))
    # How many ask types are ready: the codes of `ready` each end with a comma.
    ready = _q("ready")
    counted = f"LENGTH({ready}) - LENGTH(REPLACE({ready}, ',', ''))"
    # Built once: it reads the whole table of rows, whichever chunk is in it.
    sql, derived_params = profile_rows(now, policy).query.sql_with_params()
    picked = ", ".join(f"p.{_q(c)}" for c in ("pk", *COLUMNS))
    derived = f"SELECT {picked} FROM ({sql}) p"
    batches = _batches(contact_ids, chunk)
    everyone = 0
    if progress is not None:
        everyone = Contact.objects.count() if contact_ids is None else len(set(contact_ids))
    total = 0
    for batch in batches:
        with connection.cursor() as cursor:
            fill_rows(cursor, batch, now)
            ready_rows = _temporary_table(cursor, READY_ROWS, columns)
            cursor.execute(f"INSERT INTO {ready_rows} ({cols}) {derived}", derived_params)
        with transaction.atomic(), connection.cursor() as cursor:
            # "WHERE true" settles SQLite's parsing of INSERT ... SELECT ... ON CONFLICT.
            cursor.execute(
                f"INSERT INTO {_q(stored.db_table)} ({cols}, {_q('ready_count')}) "
                f"SELECT {cols}, {counted} FROM {ready_rows} "
                f"WHERE true ON CONFLICT (contact_id) DO UPDATE SET {updates}"
            )
            total += cursor.rowcount if cursor.rowcount and cursor.rowcount > 0 else 0
            if progress is not None:
                progress(total, max(total, everyone))
    return total


def contacts_changed_since(signal_id: int) -> QuerySet[Contact]:
    """Contacts touched by signals after `signal_id`: their own or their account's."""
    newer = Signal.objects.filter(id__gt=signal_id)
    return Contact.objects.filter(
        Q(pk__in=newer.filter(contact__isnull=False).values("contact_id"))
        | Q(account_id__in=newer.filter(contact__isnull=True).values("account_id"))
    )
