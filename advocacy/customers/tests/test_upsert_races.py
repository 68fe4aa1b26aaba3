"""A row another writer inserted between a batch's read and its write: counted, never an error.

Each test makes the batch's first read miss a row already stored, as a read made just before
another transaction committed it would. The batch's INSERT ... ON CONFLICT then skips that row,
and the batch is done again from a fresh read. The eight-process race on PostgreSQL is in
advocacy/api/tests/test_concurrent_upserts.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from advocacy.customers import services
from advocacy.customers.models import Account, AccountIdentity, Contact, ContactIdentity
from advocacy.customers.records import (
    AccountRecord,
    AccountRef,
    ContactRecord,
    RecordError,
    UpsertResult,
)
from advocacy.customers.services import (
    ATTEMPTS,
    AccountIndex,
    UpsertRaceError,
    upsert_accounts,
    upsert_contacts,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def stale_accounts(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The first `times` account reads of a batch miss every account, or what `hide` removes."""

    def make(times: int = 1, hide: Callable[[AccountIndex], object] | None = None) -> list[int]:
        load = AccountIndex.load.__func__  # type: ignore[attr-defined]
        calls: list[int] = []

        def stale(cls: type[AccountIndex], *args: Any, **kwargs: Any) -> AccountIndex:
            calls.append(1)
            if len(calls) > times:
                return load(cls, *args, **kwargs)
            if hide is None:
                return cls()
            index = load(cls, *args, **kwargs)
            hide(index)
            return index

        monkeypatch.setattr(AccountIndex, "load", classmethod(stale))
        return calls

    return make


@pytest.fixture
def stale_contacts(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The first contact read of a batch misses every contact, or those with `hidden` emails."""

    def make(*hidden: str) -> list[int]:
        load = services._load_contacts
        calls: list[int] = []

        def stale(*args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            if len(calls) > 1:
                return load(*args, **kwargs)
            if not hidden:
                return {}, {}
            by_email, by_external = load(*args, **kwargs)
            return {e: c for e, c in by_email.items() if e not in hidden}, by_external

        monkeypatch.setattr(services, "_load_contacts", stale)
        return calls

    return make


def forget_ids(index: AccountIndex) -> None:
    index.by_external.clear()


def test_an_account_inserted_first_by_another_writer_counts_as_updated(stale_accounts):
    Account.objects.create(name="Acme", domain="acme.com", industry="Software")
    calls = stale_accounts()
    result = upsert_accounts(
        [
            AccountRecord(name="Acme", domain="acme.com", industry="Fintech"),
            AccountRecord(name="Globex", domain="globex.io"),
        ],
        actor=None,
        now=NOW,
    )
    assert result == UpsertResult(created=1, updated=1, unchanged=0)
    assert len(calls) == 2
    assert list(Account.objects.order_by("name").values_list("name", "domain", "industry")) == [
        ("Acme", "acme.com", "Fintech"),
        ("Globex", "globex.io", ""),
    ]


def test_an_external_id_given_first_by_another_writer_counts_as_unchanged(stale_accounts):
    acme = Account.objects.create(name="Acme", domain="acme.com")
    AccountIdentity.objects.create(account=acme, source="hubspot", external_id="1")
    calls = stale_accounts(hide=forget_ids)
    record = AccountRecord(name="Acme", domain="acme.com", external_ids=(("hubspot", "1"),))
    assert upsert_accounts([record], actor=None, now=NOW) == UpsertResult(0, 0, 1)
    assert len(calls) == 2
    assert list(AccountIdentity.objects.values_list("account__name", "external_id")) == [
        ("Acme", "1")
    ]


def test_an_external_id_given_first_to_another_account_refuses_the_record_and_undoes_it(
    stale_accounts,
):
    """As if the batch came second: the id's account is not the domain's, and nothing of the
    first attempt (its update of Acme) is left."""
    Account.objects.create(name="Acme", domain="acme.com", industry="Software")
    globex = Account.objects.create(name="Globex", domain="globex.io")
    AccountIdentity.objects.create(account=globex, source="hubspot", external_id="1")
    stale_accounts(hide=forget_ids)
    record = AccountRecord(
        name="Acme", domain="acme.com", external_ids=(("hubspot", "1"),), industry="Fintech"
    )
    result = upsert_accounts([record], actor=None, now=NOW)
    assert result == UpsertResult(
        0,
        0,
        0,
        (
            RecordError(
                0,
                "domain",
                "a domain not used by another account",
                "acme.com",
                "domain already belongs to account 'Acme'",
            ),
        ),
    )
    assert Account.objects.get(domain="acme.com").industry == "Software"
    assert list(AccountIdentity.objects.values_list("account__name", flat=True)) == ["Globex"]


def test_an_account_without_a_domain_is_read_again_under_the_name_lock(
    postgres_only, stale_accounts, django_assert_num_queries
):
    """No key to conflict on: the first read is thrown away, the lock taken, the batch read
    again. (SQLite lets one writer in at a time from BEGIN: no lock, and no read to redo.)"""
    Account.objects.create(name="Initech")
    calls = stale_accounts()
    with django_assert_num_queries(8) as queries:
        result = upsert_accounts([AccountRecord(name="Initech")], actor=None, now=NOW)
    assert result == UpsertResult(0, 0, 1)
    assert len(calls) == 2
    locks = [q["sql"] for q in queries.captured_queries if "pg_advisory_xact_lock" in q["sql"]]
    assert locks == [f"SELECT pg_advisory_xact_lock({services.NAME_LOCK})"]
    assert Account.objects.count() == 1


def test_a_contact_inserted_first_by_another_writer_counts_as_unchanged(stale_contacts):
    acme = Account.objects.create(name="Acme", domain="acme.com")
    jane = Contact.objects.create(account=acme, email="jane@acme.com", title="CTO")
    ContactIdentity.objects.create(contact=jane, source="hubspot", external_id="c1")
    calls = stale_contacts()
    records = [
        ContactRecord(
            email="jane@acme.com",
            account_ref=AccountRef(),
            external_ids=(("hubspot", "c1"),),
            title="CTO",
        ),
        ContactRecord(email="max@acme.com", account_ref=AccountRef(domain="acme.com")),
    ]
    assert upsert_contacts(records, actor=None, now=NOW) == UpsertResult(1, 0, 1)
    assert len(calls) == 2
    assert sorted(Contact.objects.values_list("email", flat=True)) == [
        "jane@acme.com",
        "max@acme.com",
    ]
    assert ContactIdentity.objects.count() == 1


def test_an_email_taken_first_by_another_writer_refuses_the_move_to_it(stale_contacts):
    """Found by its id, Jane would move to an email another writer has just given to Max: the
    update fails on the unique email, and the batch read again refuses the id as Max's."""
    acme = Account.objects.create(name="Acme", domain="acme.com")
    jane = Contact.objects.create(account=acme, email="jane@acme.com")
    ContactIdentity.objects.create(contact=jane, source="hubspot", external_id="c1")
    Contact.objects.create(account=acme, email="max@acme.com")
    calls = stale_contacts("max@acme.com")
    record = ContactRecord(
        email="max@acme.com", account_ref=AccountRef(), external_ids=(("hubspot", "c1"),)
    )
    assert upsert_contacts([record], actor=None, now=NOW) == UpsertResult(
        0,
        0,
        0,
        (
            RecordError(
                0,
                "external_ids",
                "an id not used by another contact",
                "hubspot:c1",
                "this id already belongs to jane@acme.com",
            ),
        ),
    )
    assert len(calls) == 2
    assert sorted(Contact.objects.values_list("email", flat=True)) == [
        "jane@acme.com",
        "max@acme.com",
    ]


def test_a_domain_taken_first_by_another_writer_refuses_the_move_to_it(stale_accounts):
    acme = Account.objects.create(name="Acme")
    AccountIdentity.objects.create(account=acme, source="hubspot", external_id="1")
    Account.objects.create(name="Globex", domain="globex.io")
    calls = stale_accounts(hide=lambda index: index.by_domain.clear())
    record = AccountRecord(name="Acme", domain="globex.io", external_ids=(("hubspot", "1"),))
    assert upsert_accounts([record], actor=None, now=NOW) == UpsertResult(
        0,
        0,
        0,
        (
            RecordError(
                0,
                "domain",
                "a domain not used by another account",
                "globex.io",
                "domain already belongs to account 'Globex'",
            ),
        ),
    )
    assert len(calls) == 2
    assert list(Account.objects.order_by("name").values_list("name", "domain")) == [
        ("Acme", None),
        ("Globex", "globex.io"),
    ]


def test_an_account_created_for_a_contact_first_by_another_writer_is_used(stale_accounts):
    """The contact's new company went in first elsewhere: the contact joins that account."""
    globex = Account.objects.create(name="Globex", domain="globex.io")
    stale_accounts()
    record = ContactRecord(
        email="hank@globex.io", account_ref=AccountRef(domain="globex.io", name="Globex")
    )
    result = upsert_contacts([record], actor=None, now=NOW, create_accounts=True)
    assert result == UpsertResult(1, 0, 0)
    assert Account.objects.count() == 1
    assert Contact.objects.get().account_id == globex.pk


def test_a_batch_always_beaten_to_its_rows_gives_up_with_a_clear_error(stale_accounts):
    Account.objects.create(name="Acme", domain="acme.com")
    stale_accounts(times=ATTEMPTS)
    with pytest.raises(UpsertRaceError) as raised:
        upsert_accounts([AccountRecord(name="Acme", domain="acme.com")], actor=None, now=NOW)
    assert str(raised.value) == (
        f"accounts: other writers wrote the same keys first {ATTEMPTS} times in a row; "
        "send the batch again"
    )
    assert Account.objects.count() == 1


def test_a_dry_run_takes_no_lock_and_writes_nothing(django_assert_num_queries):
    Account.objects.create(name="Acme", domain="acme.com")
    with django_assert_num_queries(3) as queries:
        result = upsert_accounts(
            [AccountRecord(name="Acme", domain="acme.com"), AccountRecord(name="Initech")],
            actor=None,
            now=NOW,
            dry_run=True,
        )
    assert result == UpsertResult(1, 0, 1)
    assert [q["sql"] for q in queries.captured_queries if "LOCK" in q["sql"].upper()] == []
    assert Account.objects.count() == 1
