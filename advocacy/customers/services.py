"""Write accounts and contacts: set-based upserts, idempotent by the unique identities.

Public functions (used by the CSV importer, the REST API and the demo):

    upsert_accounts(records: Sequence[AccountRecord], *, actor, now, dry_run=False) -> UpsertResult
    upsert_contacts(records: Sequence[ContactRecord], *, actor, now, dry_run=False,
                    create_accounts=False) -> UpsertResult

Invariants:
- A constant number of queries per batch (lookups in one query per key kind, then one INSERT
  of the new rows per kind, bulk_update of the changed); never one per record.
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

Concurrent writers (requests, imports, workers) give neither errors nor duplicates:
- Every new row goes in with INSERT ... ON CONFLICT DO NOTHING against its unique key: an
  account's domain, a contact's email, an identity's (source, external_id). When another
  transaction inserted one of those keys first, the batch is undone (its savepoint) and done
  again from a fresh read, so that record counts as updated or unchanged, like a later batch.
- The rows a batch will update are read locked (FOR NO KEY UPDATE) until its transaction ends:
  of two writers sending the same change, one counts it updated, the other unchanged.
- Names are not unique, so an account without a domain has no key to conflict on: a batch that
  creates one holds a transaction lock (PostgreSQL's pg_advisory_xact_lock, NAME_LOCK) from
  before its read to its commit, so two writers never both create the same name.
SQLite takes its write lock when a transaction begins, so there the locks are not needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower

from advocacy.core.bulk import insert_returning
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
ATTEMPTS = 5  # a batch done again this many times, each because another writer came first
NAME_LOCK = 0x6163_636F_756E_7473  # pg_advisory_xact_lock key ("accounts"): domainless creation

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
    "timezone",
    "left_company_at",
    "opted_out_at",
)
CONTACT_COLUMNS = ("account_id", "email", *CONTACT_FIELDS[1:])


class UpsertRaceError(RuntimeError):
    """Other writers wrote this batch's keys first, ATTEMPTS times in a row."""


class _Lost(Exception):
    """Another transaction inserted one of the batch's new keys first: read again, redo."""


class _NeedsNameLock(Exception):
    """The batch creates an account without a domain: redo it holding NAME_LOCK."""


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
    def load(
        cls, refs: Iterable[AccountRef], extra_domains: Iterable[str] = (), *, lock: bool = False
    ) -> AccountIndex:
        """Fetch every account any of `refs` (or `extra_domains`) could name: a few queries.

        With `lock`, the accounts are locked (FOR NO KEY UPDATE, in id order) until the
        transaction ends, and read as the last writer to hold them left them.
        """
        externals: set[tuple[str, str]] = set()
        domains: set[str] = set(extra_domains)
        names: set[str] = set()
        for ref in refs:
            if ref.external_id:
                externals.add(ref.external_id)
            if ref.domain:
                domains.add(ref.domain)
            if ref.name:
                names.add(ref.name)
        index = cls()
        account_ids: dict[tuple[str, str], int] = {}
        for batch in in_chunks(externals):
            rows = AccountIdentity.objects.filter(
                source__in={s for s, _ in batch}, external_id__in={e for _, e in batch}
            ).values_list("source", "external_id", "account_id")
            account_ids.update({(s, e): a for s, e, a in rows})
        ids = set(account_ids.values())
        for domain_batch in in_chunks(domains):
            found = Account.objects.filter(domain__in=domain_batch).order_by()
            ids.update(found.values_list("pk", flat=True))
        for name_batch in in_chunks(names):
            # SQLite's LOWER() folds ASCII only: the exact names are matched as well.
            lowered = {name.lower() for name in name_batch}
            found = Account.objects.annotate(lname=Lower("name")).filter(
                Q(lname__in=lowered) | Q(name__in=name_batch)
            )
            ids.update(found.order_by().values_list("pk", flat=True))
        fetch = Account.objects.select_for_update(no_key=True) if lock else Account.objects.all()
        accounts: dict[int, Account] = {}
        for id_batch in in_chunks(sorted(ids)):
            accounts.update((a.pk, a) for a in fetch.filter(pk__in=id_batch).order_by("pk"))
        for key, account_id in account_ids.items():
            if account_id in accounts:
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


@dataclass
class _Writes:
    """What one attempt at a batch writes: new rows (their pks unset until written), changes."""

    accounts: list[Account] = field(default_factory=list)
    changed_accounts: dict[int, Account] = field(default_factory=dict)
    account_identities: list[tuple[Account, str, str]] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    changed_contacts: dict[int, Contact] = field(default_factory=dict)
    contact_identities: list[tuple[Contact, str, str]] = field(default_factory=list)

    def needs_name_lock(self) -> bool:
        return connection.vendor == "postgresql" and any(not a.domain for a in self.accounts)

    def write(self) -> None:
        """Write everything; raise _Lost as soon as another writer turns out to have come first.

        Keys go in sorted and updates in id order: two batches wait on each other's rows in one
        order, never in a circle.
        """
        _insert_accounts(self.accounts)
        Account.objects.bulk_update(
            [self.changed_accounts[pk] for pk in sorted(self.changed_accounts)],
            [*ACCOUNT_FIELDS, "updated_at"],
            batch_size=500,
        )
        _insert_identities(
            AccountIdentity, "account_id", [(a.pk, s, e) for a, s, e in self.account_identities]
        )
        _insert_contacts(self.contacts)
        Contact.objects.bulk_update(
            [self.changed_contacts[pk] for pk in sorted(self.changed_contacts)],
            ["email", *CONTACT_FIELDS, "updated_at"],
            batch_size=500,
        )
        _insert_identities(
            ContactIdentity, "contact_id", [(c.pk, s, e) for c, s, e in self.contact_identities]
        )


def _stored(obj: models.Model, pk: int) -> None:
    """Mark an instance inserted by hand as a saved row with this pk."""
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = DEFAULT_DB_ALIAS


def _insert_accounts(accounts: list[Account]) -> None:
    """Insert new accounts; those with a domain ON CONFLICT (domain) DO NOTHING."""
    keyed = sorted((a for a in accounts if a.domain), key=lambda a: a.domain or "")
    ids = dict(
        insert_returning(
            Account,
            ACCOUNT_FIELDS,
            [[getattr(a, name) for name in ACCOUNT_FIELDS] for a in keyed],
            ("domain", "id"),
            conflict="ON CONFLICT (domain) DO NOTHING",
        )
    )
    if len(ids) < len(keyed):
        raise _Lost
    for account in keyed:
        _stored(account, ids[account.domain])
    # No key to conflict on: NAME_LOCK keeps a second writer from creating these too.
    Account.objects.bulk_create([a for a in accounts if not a.domain])


def _insert_contacts(contacts: list[Contact]) -> None:
    """Insert new contacts ON CONFLICT (email) DO NOTHING."""
    ordered = sorted(contacts, key=lambda c: c.email)
    rows = [
        [c.account.pk, c.email, *(getattr(c, name) for name in CONTACT_FIELDS[1:])] for c in ordered
    ]
    ids = dict(
        insert_returning(
            Contact,
            CONTACT_COLUMNS,
            rows,
            ("email", "id"),
            conflict="ON CONFLICT (email) DO NOTHING",
        )
    )
    if len(ids) < len(ordered):
        raise _Lost
    for contact in ordered:
        _stored(contact, ids[contact.email])


def _insert_identities(
    model: type[models.Model], owner: str, identities: list[tuple[int, str, str]]
) -> None:
    """Insert (owner id, source, external id) rows ON CONFLICT (source, external_id) DO NOTHING."""
    rows = sorted({(s, e): (pk, s, e) for pk, s, e in identities}.values(), key=lambda r: r[1:])
    inserted = insert_returning(
        model,
        (owner, "source", "external_id"),
        rows,
        ("id",),
        conflict="ON CONFLICT (source, external_id) DO NOTHING",
    )
    if len(inserted) < len(rows):
        raise _Lost


def _lock_names() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NAME_LOCK])


def _settle(attempt: Callable[[], tuple[UpsertResult, _Writes]], what: str) -> UpsertResult:
    """Plan and write a batch in its own transaction (a savepoint inside another), done again
    from a fresh read while another writer turns out to have written one of its keys first."""
    name_lock = False
    lost: Exception | None = None
    for _ in range(ATTEMPTS):
        try:
            with transaction.atomic():
                if name_lock:
                    _lock_names()  # before the read, so the read sees the last creator's rows
                result, writes = attempt()
                if writes.needs_name_lock() and not name_lock:
                    raise _NeedsNameLock
                try:
                    writes.write()
                except IntegrityError as exc:
                    # The read checked every key the batch moves (a domain, an email): only a
                    # row another writer stored since can refuse the update.
                    raise _Lost from exc
                return result
        except _NeedsNameLock:
            name_lock = True
        except _Lost as exc:
            lost = exc
    raise UpsertRaceError(
        f"{what}: other writers wrote the same keys first {ATTEMPTS} times in a row; "
        "send the batch again"
    ) from lost


def upsert_accounts(
    records: Sequence[AccountRecord], *, actor: Any, now: datetime, dry_run: bool = False
) -> UpsertResult:
    """Create or update accounts and their external ids; see the module docstring."""
    if dry_run:
        return _plan_accounts(records, now=now, lock=False)[0]
    return _settle(lambda: _plan_accounts(records, now=now, lock=True), "accounts")


def _plan_accounts(
    records: Sequence[AccountRecord], *, now: datetime, lock: bool
) -> tuple[UpsertResult, _Writes]:
    index = AccountIndex.load(
        [AccountRef(domain=r.domain, name=r.name) for r in records]
        + [AccountRef(external_id=key) for r in records for key in r.external_ids],
        lock=lock,
    )
    writes = _Writes()
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
            writes.accounts.append(account)
            counts["created"] += 1
        else:
            dirty = _apply(account, values)
            if dirty and account.pk is not None:
                account.updated_at = now
                writes.changed_accounts[account.pk] = account
            counts["updated" if dirty or new_keys else "unchanged"] += 1
        index.add(account, new_keys)
        writes.account_identities.extend((account, s, e) for s, e in new_keys)
    result = UpsertResult(
        counts["created"], counts["updated"], counts["unchanged"], tuple(rejected)
    )
    return result, writes


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
    if dry_run:
        return _plan_contacts(records, now=now, lock=False, create_accounts=create_accounts)[0]
    return _settle(
        lambda: _plan_contacts(records, now=now, lock=True, create_accounts=create_accounts),
        "contacts",
    )


def _load_contacts(
    records: Sequence[ContactRecord], *, lock: bool
) -> tuple[dict[str, Contact], dict[tuple[str, str], Contact]]:
    """The contacts the records name, by email and by external id (locked with `lock`)."""
    keys = {k for r in records for k in r.external_ids}
    ids: set[int] = set()
    for batch in in_chunks({r.email for r in records}):
        ids.update(Contact.objects.filter(email__in=batch).order_by().values_list("pk", flat=True))
    owner_of: dict[tuple[str, str], int] = {}
    for key_batch in in_chunks(keys):
        rows = ContactIdentity.objects.filter(
            source__in={s for s, _ in key_batch}, external_id__in={e for _, e in key_batch}
        ).values_list("source", "external_id", "contact_id")
        owner_of.update({(s, e): c for s, e, c in rows})
    ids.update(owner_of.values())
    fetch = Contact.objects.select_for_update(no_key=True) if lock else Contact.objects.all()
    contacts: dict[int, Contact] = {}
    for id_batch in in_chunks(sorted(ids)):
        contacts.update((c.pk, c) for c in fetch.filter(pk__in=id_batch).order_by("pk"))
    by_email = {c.email: c for c in contacts.values()}
    by_external = {key: contacts[pk] for key, pk in owner_of.items() if pk in contacts}
    return by_email, by_external


def _plan_contacts(
    records: Sequence[ContactRecord], *, now: datetime, lock: bool, create_accounts: bool
) -> tuple[UpsertResult, _Writes]:
    # Contacts first, then accounts: a contact is committed with (or after) its account, so an
    # account read after the contact is always there for it. Read the other way round, another
    # import's account and contact could commit in between: the contact found, its account not.
    by_email, by_external = _load_contacts(records, lock=lock)
    index = AccountIndex.load(
        [r.account_ref for r in records], extra_domains={_email_domain(r.email) for r in records}
    )
    writes = _Writes()
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
                writes.accounts.append(account)
                ref_keys = [ref.external_id] if ref.external_id else []
                index.add(account, ref_keys)
                writes.account_identities.extend((account, s, e) for s, e in ref_keys)
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
            writes.contacts.append(contact)
            counts["created"] += 1
        else:
            values["email"] = record.email
            dirty = _apply(contact, values)
            if account is not None and _moves(contact, account):
                contact.account = account
                dirty = True
            if dirty and contact.pk is not None:
                contact.updated_at = now
                writes.changed_contacts[contact.pk] = contact
            counts["updated" if dirty or new_keys else "unchanged"] += 1
        by_email[record.email] = contact
        for key in new_keys:
            by_external[key] = contact
            writes.contact_identities.append((contact, key[0], key[1]))
    result = UpsertResult(
        counts["created"], counts["updated"], counts["unchanged"], tuple(rejected)
    )
    return result, writes
