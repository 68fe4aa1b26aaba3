"""Write accounts and contacts: set-based upserts, idempotent by the unique identities.

Public functions (used by the CSV importer, the REST API and the demo):

    upsert_accounts(records: Sequence[AccountRecord], *, actor, now, dry_run=False) -> UpsertResult
    upsert_contacts(records: Sequence[ContactRecord], *, actor, now, dry_run=False,
                    create_accounts=False) -> UpsertResult

Invariants:
- A constant number of queries per batch (lookups in one query per key kind, then bulk_create
  of the new, bulk_update of the changed, bulk_create of new identities); never one per record.
- An account is found by any external id, else its domain, else its exact name (only when one
  account has it and its domain is blank or the same). A contact is found by email, else by
  external id. A contact's account comes from its `account_ref`, else from its email's domain.
- Re-sending the same records gives created=0, updated=0. A field the record does not give
  (None, "", ()) is never blanked.
- A record that would steal an identity held by another row (a domain, an email, an external id)
  is rejected with a `RecordError`, never merged silently.
- A contact record naming a person erased on request (their email or an external id on the
  suppression list, advocacy.customers.suppression) is rejected with the day they were erased.
- `dry_run=True` computes the same counts and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db import transaction
from django.db.models.functions import Lower

from advocacy.customers import suppression
from advocacy.customers.models import Account, AccountIdentity, Contact, ContactIdentity
from advocacy.customers.records import (
    AccountRecord,
    AccountRef,
    ContactRecord,
    RecordError,
    UpsertResult,
)

T = TypeVar("T")
IN_CHUNK = 900  # keys per IN (...) list: far below every backend's parameter limit

ACCOUNT_FIELDS = (
    "name",
    "domain",
    "industry",
    "region",
    "size_band",
    "employees",
    "arr",
    "products",
    "use_cases",
    "competitors_replaced",
    "customer_since",
    "renewal_date",
    "nda",
    "sensitive_industry",
    "competitor_adjacent",
    "churn_risk",
)
CONTACT_FIELDS = (
    "account",
    "first_name",
    "last_name",
    "title",
    "persona",
    "phone",
    "left_company_at",
    "opted_out_at",
)


def in_chunks(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class AccountIndex:
    """Accounts known for one batch, by each identity; new accounts are added as they appear."""

    by_external: dict[tuple[str, str], Account] = field(default_factory=dict)
    by_domain: dict[str, Account] = field(default_factory=dict)
    by_name: dict[str, Account | None] = field(default_factory=dict)  # None: ambiguous

    @classmethod
    def load(cls, refs: Iterable[AccountRef], extra_domains: Iterable[str] = ()) -> AccountIndex:
        """Fetch every account any of `refs` (or `extra_domains`) could name: a few queries."""
        externals: set[tuple[str, str]] = set()
        domains: set[str] = set(extra_domains)
        names: set[str] = set()
        exact_names: set[str] = set()  # SQLite's LOWER() folds ASCII only: also match exactly
        for ref in refs:
            if ref.external_id:
                externals.add(ref.external_id)
            if ref.domain:
                domains.add(ref.domain)
            if ref.name:
                names.add(ref.name.lower())
                exact_names.add(ref.name)
        index = cls()
        account_ids: dict[tuple[str, str], int] = {}
        for batch in in_chunks(externals):
            rows = AccountIdentity.objects.filter(
                source__in={s for s, _ in batch}, external_id__in={e for _, e in batch}
            ).values_list("source", "external_id", "account_id")
            account_ids.update({(s, e): a for s, e, a in rows})
        accounts: dict[int, Account] = {}
        for id_batch in in_chunks(set(account_ids.values())):
            accounts.update(Account.objects.in_bulk(id_batch))
        for domain_batch in in_chunks(domains):
            for account in Account.objects.filter(domain__in=domain_batch):
                accounts[account.pk] = account
        for name_batch in in_chunks(names):
            for account in Account.objects.annotate(lname=Lower("name")).filter(
                lname__in=name_batch
            ):
                accounts.setdefault(account.pk, account)
        for exact_batch in in_chunks(exact_names):
            for account in Account.objects.filter(name__in=exact_batch):
                accounts.setdefault(account.pk, account)
        for key, account_id in account_ids.items():
            index.by_external[key] = accounts[account_id]
        for account in accounts.values():
            index.add(account)
        return index

    def add(self, account: Account, external_ids: Iterable[tuple[str, str]] = ()) -> None:
        if account.domain:
            self.by_domain[account.domain] = account
        lname = account.name.lower()
        known = self.by_name.get(lname, account)
        self.by_name[lname] = account if known is account else None
        for key in external_ids:
            self.by_external[key] = account

    def find(self, ref: AccountRef, fallback_domain: str | None = None) -> Account | None:
        if ref.external_id and ref.external_id in self.by_external:
            return self.by_external[ref.external_id]
        if ref.domain and ref.domain in self.by_domain:
            return self.by_domain[ref.domain]
        if ref.name:
            account = self.by_name.get(ref.name.lower())
            if account is not None and (not account.domain or account.domain == ref.domain):
                return account
        if fallback_domain and not ref.domain:
            return self.by_domain.get(fallback_domain)
        return None


def _apply(obj: Any, values: dict[str, Any]) -> bool:
    """Set the given values on obj; return whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _account_values(record: AccountRecord) -> dict[str, Any]:
    """The fields the record gives (never the ones it leaves empty)."""
    values: dict[str, Any] = {}
    for name in ACCOUNT_FIELDS:
        value = getattr(record, name)
        if value is None or value == "" or value == ():
            continue
        values[name] = list(value) if isinstance(value, tuple) else value
    if "arr" in values:
        values["arr"] = values["arr"].quantize(values["arr"].__class__("0.01"))
    return values


def upsert_accounts(
    records: Sequence[AccountRecord], *, actor: Any, now: datetime, dry_run: bool = False
) -> UpsertResult:
    """Create or update accounts and their external ids; see the module docstring."""
    index = AccountIndex.load(
        [AccountRef(domain=r.domain, name=r.name) for r in records]
        + [AccountRef(external_id=key) for r in records for key in r.external_ids]
    )
    created: list[Account] = []
    changed: dict[int, Account] = {}
    identities: list[AccountIdentity] = []
    rejected: list[RecordError] = []
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for i, record in enumerate(records):
        owners_by_key = {k: index.by_external.get(k) for k in record.external_ids}
        owners = {id(a): a for a in owners_by_key.values() if a is not None}
        if len(owners) > 1:
            rejected.append(
                RecordError(
                    i,
                    "external_ids",
                    "ids of one account",
                    ", ".join(f"{s}:{e}" for s, e in record.external_ids),
                    "these external ids belong to different accounts",
                )
            )
            continue
        account = next(iter(owners.values()), None) or index.find(
            AccountRef(domain=record.domain, name=record.name)
        )
        holder = index.by_domain.get(record.domain) if record.domain else None
        if account is not None and holder is not None and holder is not account:
            rejected.append(
                RecordError(
                    i,
                    "domain",
                    "a domain not used by another account",
                    record.domain or "",
                    f"domain already belongs to account {holder.name!r}",
                )
            )
            continue
        values = _account_values(record)
        new_keys = [k for k, owner in owners_by_key.items() if owner is None]
        if account is None:
            account = Account(**values)
            created.append(account)
            counts["created"] += 1
        else:
            dirty = _apply(account, values)
            if dirty and account.pk is not None:
                account.updated_at = now
                changed[account.pk] = account
            counts["updated" if dirty or new_keys else "unchanged"] += 1
        index.add(account, new_keys)
        identities.extend(
            AccountIdentity(account=account, source=s, external_id=e) for s, e in new_keys
        )
    if not dry_run:
        with transaction.atomic():
            Account.objects.bulk_create(created)
            Account.objects.bulk_update(
                list(changed.values()), [*ACCOUNT_FIELDS, "updated_at"], batch_size=500
            )
            AccountIdentity.objects.bulk_create(identities, ignore_conflicts=True)
    return UpsertResult(counts["created"], counts["updated"], counts["unchanged"], tuple(rejected))


def _email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1]


def _moves(contact: Contact, account: Account) -> bool:
    """Whether `account` differs from the contact's current one (without a query)."""
    if contact.pk is None:  # created earlier in this batch: its account object is cached
        return contact.account is not account
    return account.pk is None or account.pk != contact.account_id


def _new_account(ref: AccountRef, now: datetime) -> Account | None:
    if not (ref.name or ref.domain):
        return None
    return Account(name=ref.name or ref.domain or "", domain=ref.domain or None)


def upsert_contacts(
    records: Sequence[ContactRecord],
    *,
    actor: Any,
    now: datetime,
    dry_run: bool = False,
    create_accounts: bool = False,
) -> UpsertResult:
    """Create or update contacts; with `create_accounts`, an unknown named account is created."""
    index = AccountIndex.load(
        [r.account_ref for r in records], extra_domains={_email_domain(r.email) for r in records}
    )
    emails = {r.email for r in records}
    keys = {k for r in records for k in r.external_ids}
    by_email: dict[str, Contact] = {}
    by_external: dict[tuple[str, str], Contact] = {}
    for batch in in_chunks(emails):
        by_email.update({c.email: c for c in Contact.objects.filter(email__in=batch)})
    for key_batch in in_chunks(keys):
        rows = ContactIdentity.objects.filter(
            source__in={s for s, _ in key_batch}, external_id__in={e for _, e in key_batch}
        ).select_related("contact")
        by_external.update({(r.source, r.external_id): r.contact for r in rows})
    new_accounts: list[Account] = []
    new_account_identities: list[AccountIdentity] = []
    created: list[Contact] = []
    changed: dict[int, Contact] = {}
    identities: list[ContactIdentity] = []
    rejected: list[RecordError] = []
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    erased = suppression.refused(records)  # people erased on request are never re-created
    for i, record in enumerate(records):
        if i in erased:
            rejected.append(erased[i])
            continue
        contact = by_email.get(record.email)
        thief = next(
            (
                (key, other)
                for key in record.external_ids
                if (other := by_external.get(key)) is not None
                and contact is not None
                and other is not contact
                and (other.pk is None or other.pk != contact.pk)
            ),
            None,
        )
        if thief is not None:
            (source, external_id), other = thief
            rejected.append(
                RecordError(
                    i,
                    "external_ids",
                    "an id not used by another contact",
                    f"{source}:{external_id}",
                    f"this id already belongs to {other.email}",
                )
            )
            continue
        if contact is None:
            contact = next((by_external[k] for k in record.external_ids if k in by_external), None)
        ref = record.account_ref
        account = index.find(ref, fallback_domain=_email_domain(record.email))
        if account is None and create_accounts and contact is None:
            account = _new_account(ref, now)
            if account is not None:
                new_accounts.append(account)
                ref_keys = [ref.external_id] if ref.external_id else []
                index.add(account, ref_keys)
                new_account_identities.extend(
                    AccountIdentity(account=account, source=s, external_id=e) for s, e in ref_keys
                )
        given_ref = bool(ref.domain or ref.external_id or ref.name)
        if account is None and (contact is None or given_ref):
            rejected.append(
                RecordError(
                    i,
                    "account",
                    "a known account (import accounts first)",
                    ref.describe(),
                    "no account matches this contact's company",
                )
            )
            continue
        values: dict[str, Any] = {
            name: getattr(record, name)
            for name in CONTACT_FIELDS
            if name != "account" and getattr(record, name) not in (None, "")
        }
        new_keys = [k for k in record.external_ids if k not in by_external]
        if contact is None:
            assert account is not None
            contact = Contact(email=record.email, account=account, **values)
            created.append(contact)
            counts["created"] += 1
        else:
            values["email"] = record.email
            dirty = _apply(contact, values)
            if account is not None and _moves(contact, account):
                contact.account = account
                dirty = True
            if dirty and contact.pk is not None:
                contact.updated_at = now
                changed[contact.pk] = contact
            counts["updated" if dirty or new_keys else "unchanged"] += 1
        by_email[record.email] = contact
        for key in new_keys:
            by_external[key] = contact
            identities.append(ContactIdentity(contact=contact, source=key[0], external_id=key[1]))
    if not dry_run:
        with transaction.atomic():
            Account.objects.bulk_create(new_accounts)
            AccountIdentity.objects.bulk_create(new_account_identities, ignore_conflicts=True)
            Contact.objects.bulk_create(created)
            Contact.objects.bulk_update(
                list(changed.values()), ["email", *CONTACT_FIELDS, "updated_at"], batch_size=500
            )
            ContactIdentity.objects.bulk_create(identities, ignore_conflicts=True)
    return UpsertResult(counts["created"], counts["updated"], counts["unchanged"], tuple(rejected))
