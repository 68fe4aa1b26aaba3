"""Call a write service for API input: all or nothing, and the ids of what was written.

The services write the good records and report the refused ones; an API call is one unit, so
any refusal undoes the call and answers 422 naming each refused item (index and field).
The services do not return ids, so they are looked up afterwards by the records' identities,
in a constant number of queries, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.db import transaction

from advocacy.api.errors import BatchRejected, item_error
from advocacy.customers.models import Contact
from advocacy.customers.records import AccountRecord, AccountRef, ContactRecord, UpsertResult
from advocacy.customers.services import AccountIndex, in_chunks
from advocacy.people.models import User
from advocacy.signals.models import Signal
from advocacy.signals.records import SignalRecord

R = TypeVar("R")


def write_all_or_nothing(
    upsert: Callable[..., UpsertResult],
    find_ids: Callable[[Sequence[R]], list[int | None]],
    records: Sequence[R],
    *,
    actor: User,
    now: datetime,
    batch: bool,
) -> tuple[UpsertResult, list[int]]:
    """Run `upsert` and find the written rows' ids; any refusal rolls back, as BatchRejected."""
    with transaction.atomic():
        result = upsert(records, actor=actor, now=now)
        errors = [
            item_error(
                error.index if batch else None,
                error.field,
                f"{error.message}: expected {error.expected}, found {error.found!r}",
                "rejected",
            )
            for error in result.rejected
        ]
        ids = find_ids(records) if not errors else []
        errors += [
            item_error(
                index if batch else None,
                "name",
                "several accounts have this name: give a domain or an external id",
                "ambiguous",
            )
            for index, pk in enumerate(ids)
            if pk is None
        ]
        if errors:
            raise BatchRejected(errors)
    return result, [pk for pk in ids if pk is not None]


def account_ids(records: Sequence[AccountRecord]) -> list[int | None]:
    """The id of each record's account, found as upsert_accounts finds it."""
    index = AccountIndex.load(
        [AccountRef(domain=r.domain, name=r.name) for r in records]
        + [AccountRef(external_id=key) for r in records for key in r.external_ids]
    )
    ids: list[int | None] = []
    for record in records:
        account = next(
            (index.by_external[k] for k in record.external_ids if k in index.by_external), None
        ) or index.find(AccountRef(domain=record.domain, name=record.name))
        ids.append(None if account is None else account.pk)
    return ids


def contact_ids(records: Sequence[ContactRecord]) -> list[int | None]:
    """The id of each record's contact: after an upsert, every contact holds its email."""
    by_email: dict[str, int] = {}
    for batch in in_chunks({r.email for r in records}):
        by_email.update(Contact.objects.filter(email__in=batch).values_list("email", "pk"))
    return [by_email.get(r.email) for r in records]


def signal_ids(records: Sequence[SignalRecord]) -> list[int | None]:
    """The id of each record's signal, by its (source, key)."""
    by_source: dict[str, set[str]] = {}
    for record in records:
        by_source.setdefault(record.source, set()).add(record.key)
    found: dict[tuple[str, str], int] = {}
    for source, keys in by_source.items():
        for batch in in_chunks(keys):
            rows = Signal.objects.filter(source=source, key__in=batch).values_list("key", "pk")
            found.update({(source, key): pk for key, pk in rows})
    return [found.get((r.source, r.key)) for r in records]


def counts(result: UpsertResult, ids: list[int]) -> dict[str, Any]:
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "ids": ids,
    }
