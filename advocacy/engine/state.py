"""Keep the ContactProfile table in step with the signals, set-based.

Per chunk of contacts, one INSERT … SELECT reads each contact's profile columns from the signal
log once (`advocacy.engine.profile`, the expressions plays are evaluated with) into a temporary
table of rows (`ProfileRow`), and one INSERT … SELECT … ON CONFLICT DO UPDATE writes from it the
profile with its stage, its rung and `ready`: the ask
types whose verdict lets an ask through now (every rule met, none open, no cap in force; the
same verdict plays are decided by), concatenated in SQL. Works unchanged on SQLite (3.24+)
and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, CharField, F, Func, Q, QuerySet, Value, When
from django.db.models.lookups import Exact

from advocacy.customers.models import Contact
from advocacy.engine.models import ContactProfile, ProfileRow
from advocacy.engine.policy import DEFAULT_POLICY, Policy
from advocacy.engine.profile import base_annotations, derived_annotations
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


def _row_table(cursor: Any) -> str:
    """Create the per-connection table of profile rows if need be, empty; returns its name."""
    table = ProfileRow._meta.db_table
    sql, params = connection.schema_editor().table_sql(ProfileRow)
    sql = sql.replace("CREATE TABLE", "CREATE TEMPORARY TABLE IF NOT EXISTS", 1)
    cursor.execute(sql, params)
    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
    return connection.ops.quote_name(table)


def fill_rows(cursor: Any, contacts: QuerySet[Contact], now: datetime) -> str:
    """Read each contact's profile columns from the signal log as of `now`, once, into the
    table of profile rows; returns the table's name."""
    table = _row_table(cursor)
    base = base_annotations(now)
    lookups = {name: base[name] if name in base else F(name) for name in ROW_FIELDS}
    sql, params = (
        contacts.annotate(**{f"_{n}": e for n, e in lookups.items()})
        .values("pk", "account_id", *[f"_{n}" for n in ROW_FIELDS])
        .query.sql_with_params()
    )
    columns = ", ".join(
        connection.ops.quote_name(c) for c in ("contact_id", "account_id", *ROW_FIELDS)
    )
    cursor.execute(f"INSERT INTO {table} ({columns}) SELECT * FROM ({sql}) q", params)
    return table


def profile_rows(now: datetime, policy: Policy) -> QuerySet[Any]:
    """The profiles of the contacts in the table of profile rows, with stage, rung and ready."""
    qs = ProfileRow.objects.annotate(**derived_annotations(now, policy))
    qs = qs.annotate(ready=_ready_expression(now, policy), as_of=Value(now))
    return qs.values("pk", *COLUMNS)


def refresh_profiles(
    *,
    now: datetime,
    contact_ids: Iterable[int] | None = None,
    policy: Policy = DEFAULT_POLICY,
    chunk: int = 20_000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Rewrite the profiles of the given contacts (all when None); returns how many.

    Each chunk of contacts is its own transaction, so a long refresh holds no lock for long and
    `progress(profiles written, contacts in all)` after each chunk tells the truth; every
    profile says the moment it is as of.
    """
    table = connection.ops.quote_name(ContactProfile._meta.db_table)
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in ("contact_id", *COLUMNS, "ready_count"))
    # How many ask types are ready: the codes of `ready` each end with a comma.
    ready = f"p.{q('ready')}"
    counted = f"LENGTH({ready}) - LENGTH(REPLACE({ready}, ',', ''))"
    picked = ", ".join([*(f"p.{q(c)}" for c in ("pk", *COLUMNS)), counted])
    updates = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in (*COLUMNS, "ready_count"))
    ids = None if contact_ids is None else sorted(set(contact_ids))
    total = 0
    bounds: list[tuple[int, int]]
    if ids is None:
        top = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        bounds = [(lo, lo + chunk) for lo in range(0, top + 1, chunk)]
    else:
        bounds = []
    batches: list[QuerySet[Contact]] = [
        Contact.objects.filter(pk__gte=lo, pk__lt=hi).order_by() for lo, hi in bounds
    ]
    if ids is not None:
        batches = [
            Contact.objects.filter(pk__in=ids[i : i + chunk]).order_by()
            for i in range(0, len(ids), chunk)
        ]
    everyone = (Contact.objects.count() if ids is None else len(ids)) if progress is not None else 0
    for batch in batches:
        with transaction.atomic(), connection.cursor() as cursor:
            fill_rows(cursor, batch, now)
            sql, params = profile_rows(now, policy).query.sql_with_params()
            # "WHERE true" settles SQLite's parsing of INSERT ... SELECT ... ON CONFLICT.
            cursor.execute(
                f"INSERT INTO {table} ({cols}) SELECT {picked} FROM ({sql}) AS p WHERE true "
                f"ON CONFLICT (contact_id) DO UPDATE SET {updates}",
                params,
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
