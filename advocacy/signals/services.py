"""Record signals: append-only, stored once per (source, key), in a constant number of queries.

Public functions:

    record_signals(records: Sequence[SignalRecord], *, actor, now, dry_run=False) -> UpsertResult
    resolve_contacts(emails: Iterable[str]) -> dict[str, tuple[int, int]]
    existing_signal_keys(source_keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]
    insert_signal_rows(rows: Sequence[SignalRow], *, now) -> int

An existing (source, key) counts as unchanged and is never updated. A signal about an unknown
contact or account is rejected (never guessed), and so is one whose value or moment
`advocacy.signals.checks` refuses (a score off its scale, a date before the floor or ahead of
`now`); one about a person erased on request is rejected with the day they were erased
(advocacy.customers.suppression). The insert is one `INSERT ... ON CONFLICT (source, key) DO
NOTHING` executed over the whole batch: a replayed batch, or two writers racing, store each
fact once. The lower-level helpers are what the CSV importer's hot path uses, so a
million rows never become a million model instances.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from advocacy.customers import suppression
from advocacy.customers.models import Contact, ContactIdentity
from advocacy.customers.records import AccountRef, RecordError, UpsertResult
from advocacy.customers.services import AccountIndex, in_chunks
from advocacy.signals.checks import earliest, moment_problem, value_problem
from advocacy.signals.models import Signal, SignalKind
from advocacy.signals.records import SignalRecord

# (source, key, kind, account_id, contact_id, occurred_at, value, text, payload_json)
SignalRow = tuple[str, str, str, int, int | None, datetime, float | None, str, str]

_COLUMNS = (
    "source",
    "key",
    "kind",
    "account_id",
    "contact_id",
    "occurred_at",
    "value",
    "text",
    "payload",
    "received_at",
)
KINDS = frozenset(SignalKind.values)


def resolve_contacts(emails: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Map each known email to (contact_id, account_id): one query per 900 emails."""
    found: dict[str, tuple[int, int]] = {}
    for batch in in_chunks(set(emails)):
        rows = Contact.objects.filter(email__in=batch).values_list("email", "id", "account_id")
        found.update({email: (cid, aid) for email, cid, aid in rows})
    return found


def existing_signal_keys(source_keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Return the (source, key) pairs among `source_keys` that are already stored."""
    by_source: dict[str, set[str]] = {}
    for source, key in source_keys:
        by_source.setdefault(source, set()).add(key)
    existing: set[tuple[str, str]] = set()
    for source, keys in by_source.items():
        for batch in in_chunks(keys):
            rows = Signal.objects.filter(source=source, key__in=batch).values_list("key", flat=True)
            existing.update((source, key) for key in rows)
    return existing


def _insert_sql(select_from: str | None = None) -> str:
    """INSERT ... ON CONFLICT (source, key) DO NOTHING, from VALUES or from a staging table."""
    quote = connection.ops.quote_name
    table = quote(Signal._meta.db_table)
    columns = ", ".join(quote(c) for c in _COLUMNS)
    rows = (
        f"SELECT {columns} FROM {select_from}"
        if select_from
        else ("VALUES (" + ", ".join(["%s"] * len(_COLUMNS)) + ")")
    )
    return (
        f"INSERT INTO {table} ({columns}) {rows} "
        f"ON CONFLICT ({quote('source')}, {quote('key')}) DO NOTHING"
    )


_PG_STAGING = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS advocacy_signal_in (source varchar(50), "
    "key varchar(255), kind varchar(30), account_id bigint, contact_id bigint, "
    "occurred_at timestamptz, value double precision, text text, payload jsonb, "
    "received_at timestamptz) ON COMMIT DROP"
)


def insert_signal_rows(rows: Sequence[SignalRow], *, now: datetime) -> int:
    """Insert the rows, skipping any (source, key) already stored; return how many went in.

    SQLite runs one prepared statement over all rows (executemany loops in C). PostgreSQL
    COPYs the rows into a temporary table and inserts from it in one statement: a round trip
    per row, or client-side quoting of thousands of parameters, would dominate there.
    """
    if not rows:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            received = _sqlite_datetime(now)
            params = [(*row[:5], _sqlite_datetime(row[5]), *row[6:], received) for row in rows]
            cursor.executemany(_insert_sql(), params)
            # sqlite3 sums rowcount over executemany; fall back to "all" for other drivers.
            return cursor.rowcount if cursor.rowcount >= 0 else len(rows)
        cursor.execute(_PG_STAGING)
        columns = ", ".join(_COLUMNS)
        with cursor.cursor.copy(f"COPY advocacy_signal_in ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, now))
        cursor.execute(_insert_sql("advocacy_signal_in"))
        inserted: int = cursor.rowcount
        cursor.execute("TRUNCATE advocacy_signal_in")
    return inserted


_encode = DjangoJSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def payload_json(payload: Any) -> str:
    return _encode(payload)


def _sqlite_datetime(value: datetime) -> str:
    """What Django stores in SQLite for an aware datetime: naive UTC text, without its overhead."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ")


def _check(record: SignalRecord, index: int, now: datetime, floor: datetime) -> RecordError | None:
    if record.kind not in KINDS:
        return RecordError(
            index, "kind", "one of " + ", ".join(sorted(KINDS)), record.kind, "unknown kind"
        )
    problem = value_problem(record.kind, record.value) or moment_problem(
        record.occurred_at, now=now, floor=floor
    )
    if problem is not None:
        return RecordError(index, problem.field, problem.expected, problem.found, problem.message)
    if not record.source or not record.key:
        return RecordError(index, "key", "a source and a key", "", "source and key are required")
    return None


def record_signals(
    records: Sequence[SignalRecord], *, actor: Any, now: datetime, dry_run: bool = False
) -> UpsertResult:
    """Store new signals, count the already stored ones as unchanged; see the module docstring."""
    contacts = resolve_contacts(r.contact_email for r in records if r.contact_email)
    externals = {r.contact_external_id for r in records if r.contact_external_id}
    by_external: dict[tuple[str, str], tuple[int, int]] = {}
    for batch in in_chunks(externals):
        identity_rows = ContactIdentity.objects.filter(
            source__in={s for s, _ in batch}, external_id__in={e for _, e in batch}
        ).values_list("source", "external_id", "contact_id", "contact__account_id")
        by_external.update({(s, e): (cid, aid) for s, e, cid, aid in identity_rows})
    accounts = AccountIndex.load(r.account_ref for r in records if r.account_ref)
    erased = suppression.suppressed(
        r.contact_email for r in records if r.contact_email and r.contact_email not in contacts
    )
    erased_ids = suppression.suppressed_identities(
        r.contact_external_id
        for r in records
        if r.contact_external_id and r.contact_external_id not in by_external
    )
    rows: list[SignalRow] = []
    rejected: list[RecordError] = []
    seen: set[tuple[str, str]] = set()
    duplicates = 0
    floor = earliest()
    for i, record in enumerate(records):
        error = _check(record, i, now, floor)
        contact_id: int | None = None
        account_id: int | None = None
        if error is None and (record.contact_email or record.contact_external_id):
            found = (
                contacts.get(record.contact_email)
                if record.contact_email
                else by_external.get(record.contact_external_id or ("", ""))
            )
            gone = (
                erased.get(record.contact_email)
                if record.contact_email
                else erased_ids.get(record.contact_external_id or ("", ""))
            )
            if found is None and gone is not None:
                error = RecordError(
                    i,
                    "contact",
                    suppression.EXPECTED,
                    record.contact_email or ":".join(record.contact_external_id or ()),
                    suppression.refusal(gone),
                )
            elif found is None:
                error = RecordError(
                    i,
                    "contact",
                    "a known contact (import contacts first)",
                    record.contact_email or ":".join(record.contact_external_id or ()),
                    "no contact with this email; import contacts first"
                    if record.contact_email
                    else "no contact with this external id",
                )
            else:
                contact_id, account_id = found
        elif error is None:
            account = accounts.find(record.account_ref or AccountRef())
            if account is None:
                error = RecordError(
                    i,
                    "account",
                    "a known contact or account",
                    (record.account_ref or AccountRef()).describe(),
                    "no account matches this signal",
                )
            else:
                account_id = account.pk
        if error is not None:
            rejected.append(error)
            continue
        assert account_id is not None
        if (record.source, record.key) in seen:
            duplicates += 1
            continue
        seen.add((record.source, record.key))
        rows.append(
            (
                record.source,
                record.key,
                record.kind,
                account_id,
                contact_id,
                record.occurred_at,
                record.value,
                record.text,
                payload_json(dict(record.payload)),
            )
        )
    if dry_run:
        created = len(rows) - len(existing_signal_keys((r[0], r[1]) for r in rows))
    else:
        created = insert_signal_rows(rows, now=now)
    return UpsertResult(created, 0, len(rows) - created + duplicates, tuple(rejected))
