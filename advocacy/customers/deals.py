"""Deals and the contacts' parts in them, as a CRM gives them: set-based upserts.

    upsert_deals(records: Sequence[DealRecord], *, now) -> UpsertResult
    link_deal_contacts(links: Sequence[DealContactRecord], *, now, in_full=()) -> UpsertResult

A deal is keyed by (source, external_id): sent again, it is updated in place (one read of the
batch's keys, one INSERT ... ON CONFLICT DO UPDATE), never duplicated. Its account is found by
the account's identity in the same source (`AccountRef.external_id`), else left empty.

A link is keyed by (deal, contact), both named by their identity in the CRM: a link whose deal
or contact is not known is refused with a `RecordError` (sync the contacts first). The links
of the deals named in `in_full` that the batch does not give are removed: the CRM said which
contacts those deals have, in full (HubSpot's associations; Salesforce's roles come one by one).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from advocacy.customers.models import ContactIdentity, Deal, DealContact
from advocacy.customers.records import AccountRef, RecordError, UpsertResult
from advocacy.customers.services import AccountIndex, in_chunks

DEAL_FIELDS = (
    "account_id", "name", "amount", "currency", "stage", "is_won", "is_closed", "opened_at",
    "closed_on", "modified_at",
)  # fmt: skip


@dataclass(frozen=True)
class DealRecord:
    source: str
    external_id: str
    name: str = ""
    account_ref: AccountRef | None = None
    amount: Decimal | None = None
    currency: str = ""
    stage: str = ""
    is_won: bool = False
    is_closed: bool = False
    opened_at: datetime | None = None
    closed_on: date | None = None
    modified_at: datetime | None = None


@dataclass(frozen=True)
class DealContactRecord:
    deal: tuple[str, str]  # (source, the deal's id there)
    contact: tuple[str, str]  # (source, the contact's id there)
    role: str = ""
    is_primary: bool = False


def _last_per_key(records: Sequence[DealRecord]) -> dict[tuple[str, str], DealRecord]:
    return {(r.source, r.external_id): r for r in records}


def upsert_deals(records: Sequence[DealRecord], *, now: datetime) -> UpsertResult:
    """Create or update the deals; see the module docstring. A key given twice: the last wins."""
    chosen = _last_per_key(records)
    if not chosen:
        return UpsertResult(0, 0, 0)
    index = AccountIndex.load([r.account_ref for r in chosen.values() if r.account_ref])
    stored: dict[tuple[str, str], dict[str, Any]] = {}
    for batch in in_chunks(list(chosen)):
        for row in Deal.objects.filter(
            source__in={s for s, _ in batch}, external_id__in={e for _, e in batch}
        ).values("source", "external_id", *DEAL_FIELDS):
            stored[(row["source"], row["external_id"])] = row
    rows: list[Deal] = []
    created = updated = unchanged = 0
    for key, r in chosen.items():
        account = index.find(r.account_ref) if r.account_ref else None
        values = {
            "account_id": account.pk if account is not None else None,
            "name": r.name[:255], "amount": r.amount, "currency": r.currency[:3].upper(),
            "stage": r.stage[:100], "is_won": r.is_won, "is_closed": r.is_closed,
            "opened_at": r.opened_at, "closed_on": r.closed_on, "modified_at": r.modified_at,
        }  # fmt: skip
        before = stored.get(key)
        if before is None:
            created += 1
        elif all(_same(before[f], values[f]) for f in DEAL_FIELDS):
            unchanged += 1
            continue
        else:
            updated += 1
        rows.append(Deal(source=r.source, external_id=r.external_id, **values))
    with transaction.atomic():
        Deal.objects.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["source", "external_id"],
            update_fields=[*(f.removesuffix("_id") for f in DEAL_FIELDS), "updated_at"],
        )
    return UpsertResult(created, updated, unchanged)


def _same(stored: Any, given: Any) -> bool:
    if isinstance(stored, Decimal) and isinstance(given, Decimal):
        return stored == given
    return bool(stored == given)


def link_deal_contacts(
    links: Sequence[DealContactRecord],
    *,
    now: datetime,
    in_full: Collection[tuple[str, str]] = (),
) -> UpsertResult:
    """Record each contact's part in its deal; see the module docstring."""
    deal_keys = {link.deal for link in links} | set(in_full)
    contact_keys = {link.contact for link in links}
    deals: dict[tuple[str, str], int] = {}
    for batch in in_chunks(deal_keys):
        deals.update(
            ((s, e), pk)
            for s, e, pk in Deal.objects.filter(
                source__in={s for s, _ in batch}, external_id__in={e for _, e in batch}
            ).values_list("source", "external_id", "pk")
        )
    contacts: dict[tuple[str, str], int] = {}
    for batch in in_chunks(contact_keys):
        contacts.update(
            ((s, e), pk)
            for s, e, pk in ContactIdentity.objects.filter(
                source__in={s for s, _ in batch}, external_id__in={e for _, e in batch}
            ).values_list("source", "external_id", "contact_id")
        )
    existing: dict[tuple[int, int], tuple[int, str, bool]] = {}
    for id_batch in in_chunks(sorted(set(deals.values()))):
        for pk, deal_id, contact_id, role, primary in DealContact.objects.filter(
            deal_id__in=id_batch
        ).values_list("pk", "deal_id", "contact_id", "role", "is_primary"):
            existing[(deal_id, contact_id)] = (pk, role, primary)
    rejected: list[RecordError] = []
    wanted: dict[tuple[int, int], DealContactRecord] = {}
    for i, link in enumerate(links):
        deal_pk, contact_pk = deals.get(link.deal), contacts.get(link.contact)
        if deal_pk is None or contact_pk is None:
            missing = "deal" if deal_pk is None else "contact"
            key = link.deal if deal_pk is None else link.contact
            rejected.append(
                RecordError(i, missing, f"a {missing} already synced", f"{key[0]}:{key[1]}",
                            f"no {missing} has this id")
            )  # fmt: skip
            continue
        wanted[(deal_pk, contact_pk)] = link
    created = updated = unchanged = 0
    rows: list[DealContact] = []
    for (deal_id, contact_id), link in wanted.items():
        before = existing.get((deal_id, contact_id))
        role = link.role[:100]
        if before is not None and (before[1], before[2]) == (role, link.is_primary):
            unchanged += 1
            continue
        created += before is None
        updated += before is not None
        rows.append(
            DealContact(deal_id=deal_id, contact_id=contact_id, role=role,
                        is_primary=link.is_primary)
        )  # fmt: skip
    full = {deals[key] for key in in_full if key in deals}
    stale = [pk for pair, (pk, _, _) in existing.items() if pair[0] in full and pair not in wanted]
    with transaction.atomic():
        DealContact.objects.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["deal", "contact"],
            update_fields=["role", "is_primary"],
        )
        for pk_batch in in_chunks(stale):
            DealContact.objects.filter(pk__in=pk_batch).delete()
    return UpsertResult(created, updated, unchanged, tuple(rejected))
