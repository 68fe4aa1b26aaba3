"""Upserting accounts and contacts: idempotent, set-based, never blanking what was not sent."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from advocacy.customers.models import Account, AccountIdentity, Contact, ContactIdentity
from advocacy.customers.records import (
    AccountRecord,
    AccountRef,
    ContactRecord,
    RecordError,
    UpsertResult,
    clean_domain,
    clean_email,
)
from advocacy.customers.services import upsert_accounts, upsert_contacts

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def acme(**extra: object) -> AccountRecord:
    fields: dict = {
        "name": "Acme",
        "domain": "acme.com",
        "external_ids": (("hubspot", "1"),),
        "industry": "Software",
        "employees": 250,
        "arr": Decimal("120000"),
        "products": ("core",),
    }
    fields.update(extra)
    return AccountRecord(**fields)


def test_accounts_are_created_then_unchanged_on_resend():
    """GIVEN two new accounts WHEN sent twice THEN the second send creates and updates nothing."""
    records = [acme(), AccountRecord(name="Globex", domain="globex.io")]
    first = upsert_accounts(records, actor=None, now=NOW)
    second = upsert_accounts(records, actor=None, now=NOW)
    assert first == UpsertResult(created=2, updated=0, unchanged=0)
    assert second == UpsertResult(created=0, updated=0, unchanged=2)
    acme_row = Account.objects.get(domain="acme.com")
    assert (acme_row.employees, acme_row.arr, acme_row.products) == (
        250,
        Decimal("120000"),
        ["core"],
    )
    assert list(AccountIdentity.objects.values_list("source", "external_id", "account__name")) == [
        ("hubspot", "1", "Acme")
    ]


def test_update_never_blanks_fields_the_source_did_not_send():
    upsert_accounts([acme()], actor=None, now=NOW)
    result = upsert_accounts(
        [AccountRecord(name="Acme", external_ids=(("hubspot", "1"),), region="emea")],
        actor=None,
        now=NOW,
    )
    account = Account.objects.get()
    assert result == UpsertResult(created=0, updated=1, unchanged=0)
    assert (account.domain, account.industry, account.region) == ("acme.com", "Software", "emea")
    assert account.updated_at == NOW


def test_account_found_by_name_gets_domain_and_new_identity():
    upsert_accounts(
        [AccountRecord(name="Initech", external_ids=(("salesforce", "001A"),))], actor=None, now=NOW
    )
    result = upsert_accounts(
        [AccountRecord(name="initech", domain="initech.com", external_ids=(("hubspot", "9"),))],
        actor=None,
        now=NOW,
    )
    assert result == UpsertResult(created=0, updated=1, unchanged=0)
    assert Account.objects.get().domain == "initech.com"
    assert sorted(AccountIdentity.objects.values_list("source", flat=True)) == [
        "hubspot",
        "salesforce",
    ]


def test_domain_of_another_account_is_rejected():
    upsert_accounts([acme(), AccountRecord(name="Globex", domain="globex.io")], actor=None, now=NOW)
    result = upsert_accounts(
        [AccountRecord(name="Acme", external_ids=(("hubspot", "1"),), domain="globex.io")],
        actor=None,
        now=NOW,
    )
    assert result == UpsertResult(
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


def test_dry_run_counts_the_same_and_writes_nothing(django_assert_num_queries):
    upsert_accounts([acme()], actor=None, now=NOW)
    records = [acme(industry="Fintech"), AccountRecord(name="Globex", domain="globex.io")]
    dry = upsert_accounts(records, actor=None, now=NOW, dry_run=True)
    assert dry == UpsertResult(created=1, updated=1, unchanged=0)
    assert Account.objects.get(domain="acme.com").industry == "Software"
    assert upsert_accounts(records, actor=None, now=NOW) == dry


def test_upsert_accounts_query_count_does_not_grow_with_records(django_assert_max_num_queries):
    records = [AccountRecord(name=f"Co {i}", domain=f"co{i}.com") for i in range(300)]
    with django_assert_max_num_queries(10):
        upsert_accounts(records, actor=None, now=NOW)
    with django_assert_max_num_queries(10):
        upsert_accounts(
            [AccountRecord(name=f"Co {i}", domain=f"co{i}.com", industry="X") for i in range(300)],
            actor=None,
            now=NOW,
        )
    assert Account.objects.filter(industry="X").count() == 300


def jane(**extra: object) -> ContactRecord:
    fields: dict = {
        "email": "jane@acme.com",
        "account_ref": AccountRef(domain="acme.com"),
        "external_ids": (("hubspot", "c1"),),
        "first_name": "Jane",
        "last_name": "Doe",
        "title": "VP Engineering",
    }
    fields.update(extra)
    return ContactRecord(**fields)


def test_contacts_created_then_unchanged_then_updated():
    upsert_accounts([acme()], actor=None, now=NOW)
    assert upsert_contacts([jane()], actor=None, now=NOW) == UpsertResult(1, 0, 0)
    assert upsert_contacts([jane()], actor=None, now=NOW) == UpsertResult(0, 0, 1)
    assert upsert_contacts([jane(title="CTO", first_name="")], actor=None, now=NOW) == UpsertResult(
        0, 1, 0
    )
    contact = Contact.objects.get()
    assert (contact.first_name, contact.title, contact.account.domain) == (
        "Jane",
        "CTO",
        "acme.com",
    )
    assert list(ContactIdentity.objects.values_list("external_id", flat=True)) == ["c1"]


def test_contact_found_by_external_id_changes_email():
    upsert_accounts([acme()], actor=None, now=NOW)
    upsert_contacts([jane()], actor=None, now=NOW)
    result = upsert_contacts([jane(email="jane.doe@acme.com")], actor=None, now=NOW)
    assert result == UpsertResult(0, 1, 0)
    assert list(Contact.objects.values_list("email", flat=True)) == ["jane.doe@acme.com"]


def test_contact_account_from_email_domain_when_no_ref():
    upsert_accounts([acme()], actor=None, now=NOW)
    result = upsert_contacts([jane(account_ref=AccountRef())], actor=None, now=NOW)
    assert result == UpsertResult(1, 0, 0)
    assert Contact.objects.get().account.name == "Acme"


def test_unknown_account_is_rejected_unless_created():
    record = jane(email="bob@initech.com", account_ref=AccountRef(name="Initech"), external_ids=())
    refused = upsert_contacts([record], actor=None, now=NOW)
    assert refused == UpsertResult(
        0,
        0,
        0,
        (
            RecordError(
                0,
                "account",
                "a known account (import accounts first)",
                "name 'Initech'",
                "no account matches this contact's company",
            ),
        ),
    )
    assert upsert_contacts(
        [record, record], actor=None, now=NOW, create_accounts=True
    ) == UpsertResult(1, 0, 1)
    assert list(Account.objects.values_list("name", flat=True)) == ["Initech"]


def test_external_id_of_another_contact_is_rejected():
    upsert_accounts([acme()], actor=None, now=NOW)
    upsert_contacts(
        [jane(), jane(email="max@acme.com", external_ids=(("hubspot", "c2"),))], actor=None, now=NOW
    )
    result = upsert_contacts([jane(external_ids=(("hubspot", "c2"),))], actor=None, now=NOW)
    assert result.rejected == (
        RecordError(
            0,
            "external_ids",
            "an id not used by another contact",
            "hubspot:c2",
            "this id already belongs to max@acme.com",
        ),
    )


def test_upsert_contacts_query_count_does_not_grow(django_assert_max_num_queries):
    upsert_accounts([acme()], actor=None, now=NOW)
    records = [
        jane(email=f"p{i}@acme.com", external_ids=(("hubspot", f"c{i}"),)) for i in range(300)
    ]
    with django_assert_max_num_queries(12):
        assert upsert_contacts(records, actor=None, now=NOW) == UpsertResult(300, 0, 0)


@pytest.mark.parametrize(
    ("raw", "clean"), [(" Jane@Acme.COM ", "jane@acme.com"), ("a.b+c@x.co.uk", "a.b+c@x.co.uk")]
)
def test_clean_email_accepts(raw, clean):
    assert clean_email(raw) == clean


@pytest.mark.parametrize(
    "raw", ["", "jane", "jane@acme", "ja ne@acme.com", "a..b@acme.com", "@acme.com"]
)
def test_clean_email_refuses(raw):
    with pytest.raises(ValueError):
        clean_email(raw)


def test_clean_domain():
    assert clean_domain("https://www.Acme.com/about") == "acme.com"
    with pytest.raises(ValueError, match="not a valid domain name"):
        clean_domain("acme")
