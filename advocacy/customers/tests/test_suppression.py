"""The suppression list: keyed hashes of erased people, refused by the contact upsert."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

import pytest

from advocacy.core.env import SettingError
from advocacy.customers.models import Account, Contact, ContactIdentity, Suppression
from advocacy.customers.records import AccountRef, ContactRecord, RecordError
from advocacy.customers.services import upsert_contacts
from advocacy.customers.suppression import (
    digest_email,
    digest_identity,
    key,
    refused,
    suppress,
    suppressed,
    suppressed_identities,
)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
ERASED_AT = datetime(2026, 5, 20, 23, 30, tzinfo=UTC)
REASON = "erased on request on 2026-05-20; not re-imported"
ACME = AccountRef(domain="acme.example")


def record(email: str, *external: tuple[str, str], **fields: Any) -> ContactRecord:
    return ContactRecord(email=email, account_ref=ACME, external_ids=external, **fields)


def test_the_hash_is_hmac_sha256_of_the_normalised_email_under_the_key(settings: Any) -> None:
    settings.SUPPRESSION_KEY = "k" * 32
    expected = hmac.new(b"k" * 32, b"email:ann@acme.example", hashlib.sha256).hexdigest()
    assert digest_email(" Ann@ACME.example ") == expected
    assert (
        digest_identity("hubspot", "12")
        == hmac.new(b"k" * 32, b"identity:hubspot\x1f12", hashlib.sha256).hexdigest()
    )


def test_without_the_setting_the_key_comes_from_the_secret_key(settings: Any) -> None:
    """So rotating the secret key changes every hash: the documented reason to set the key."""
    settings.SUPPRESSION_KEY = ""
    settings.SECRET_KEY = "first secret"
    derived = hmac.new(b"first secret", b"advocacy.customers.suppression", hashlib.sha256)
    assert key() == derived.digest()
    before = digest_email("ann@acme.example")
    settings.SECRET_KEY = "rotated secret"
    assert digest_email("ann@acme.example") != before


def test_a_short_key_stops_the_process_without_echoing_it(monkeypatch: Any) -> None:
    from advocacy.settings import _suppression_key

    monkeypatch.setenv("ADVOCACY_SUPPRESSION_KEY", "too-short-secret")
    with pytest.raises(SettingError) as caught:
        _suppression_key()
    assert str(caught.value) == (
        "ADVOCACY_SUPPRESSION_KEY: expected at least 32 characters, found 16"
    )
    monkeypatch.setenv("ADVOCACY_SUPPRESSION_KEY", "")
    assert _suppression_key() == ""
    monkeypatch.setenv("ADVOCACY_SUPPRESSION_KEY", "x" * 32)
    assert _suppression_key() == "x" * 32


@pytest.mark.django_db
def test_suppressing_twice_stores_each_hash_once() -> None:
    suppress(["ann@acme.example"], [("hubspot", "12")], now=ERASED_AT)
    suppress(["ann@acme.example"], [("hubspot", "12")], now=NOW)
    assert sorted(Suppression.objects.values_list("kind", "erased_at")) == [
        ("email", ERASED_AT),
        ("identity", ERASED_AT),
    ]
    assert suppressed(["ann@acme.example", "bob@acme.example"]) == {"ann@acme.example": ERASED_AT}
    assert suppressed_identities([("hubspot", "12"), ("hubspot", "13")]) == {
        ("hubspot", "12"): ERASED_AT
    }


@pytest.mark.django_db
def test_the_upsert_refuses_an_erased_email_or_identity_and_writes_the_others() -> None:
    account = Account.objects.create(name="Acme", domain="acme.example")
    suppress(["ann@acme.example"], [("hubspot", "12")], now=ERASED_AT)
    records = [
        record("bob@acme.example", ("hubspot", "13")),
        record("ann@acme.example", first_name="Ann"),
        record("ann.lee@acme.example", ("hubspot", "12")),  # a new address, the same CRM id
    ]

    result = upsert_contacts(records, actor=None, now=NOW)

    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    assert result.rejected == (
        RecordError(1, "email", "a person who was not erased", "ann@acme.example", REASON),
        RecordError(2, "external_ids", "a person who was not erased", "hubspot:12", REASON),
    )
    assert list(Contact.objects.values_list("email", "account")) == [
        ("bob@acme.example", account.pk)
    ]
    assert list(ContactIdentity.objects.values_list("external_id", flat=True)) == ["13"]


@pytest.mark.django_db
def test_a_dry_run_reports_the_same_refusals() -> None:
    Account.objects.create(name="Acme", domain="acme.example")
    suppress(["ann@acme.example"], now=ERASED_AT)
    result = upsert_contacts([record("ann@acme.example")], actor=None, now=NOW, dry_run=True)
    assert (result.created, [e.message for e in result.rejected]) == (0, [REASON])


@pytest.mark.django_db
def test_the_check_is_two_queries_per_batch(django_assert_num_queries: Any) -> None:
    suppress(["ann@acme.example"], now=ERASED_AT)
    records = [record(f"p{i}@acme.example", ("crm", str(i))) for i in range(800)]
    with django_assert_num_queries(2):
        found = refused(records)
    assert found == {}
    with django_assert_num_queries(0):
        assert refused([]) == {}


def test_check_deploy_warns_when_the_key_hangs_on_the_secret_key(settings: Any) -> None:
    from django.core import checks

    settings.SUPPRESSION_KEY = ""
    found = [
        m for m in checks.run_checks(include_deployment_checks=True) if m.id == "advocacy.W001"
    ]
    assert [m.msg for m in found] == [
        "ADVOCACY_SUPPRESSION_KEY is not set: the hashes of people erased on request are keyed "
        "by ADVOCACY_SECRET_KEY, so rotating the secret key lets them be imported again."
    ]
    settings.SUPPRESSION_KEY = "k" * 32
    assert [
        m for m in checks.run_checks(include_deployment_checks=True) if m.id == "advocacy.W001"
    ] == []
    assert [m for m in checks.run_checks() if m.id == "advocacy.W001"] == []
