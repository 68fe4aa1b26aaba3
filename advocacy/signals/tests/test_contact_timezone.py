"""A contact's own time zone (for quiet hours): an IANA name, validated wherever it comes in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from advocacy.customers.models import Account, Contact
from advocacy.signals.imports import run_import
from advocacy.signals.tests.files import write_csv

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def acme() -> Account:
    return Account.objects.create(name="Acme", domain="acme.com")


def test_the_model_refuses_a_name_the_tz_database_does_not_know(acme):
    contact = Contact(account=acme, email="ada@acme.com", timezone="Mars/Olympus_Mons")
    with pytest.raises(ValidationError, match="is not an IANA time zone name"):
        contact.full_clean()
    contact.timezone = "Europe/Paris"
    contact.full_clean()


def test_a_csv_import_takes_the_zone_column_and_rejects_a_bad_cell(tmp_path, acme):
    path = write_csv(
        tmp_path / "contacts.csv",
        ["email", "account_domain", "timezone"],
        [["ada@acme.com", "acme.com", "America/New_York"], ["bob@acme.com", "acme.com", "EST5"]],
    )
    run = run_import("contacts", path, now=NOW)
    assert (run.created, run.rejected) == (1, 1)
    assert Contact.objects.get().timezone == "America/New_York"
    ((line, column, message),) = run.row_errors.values_list("line", "column", "message")
    assert (line, column) == (3, "timezone")
    assert "an IANA time zone name like Europe/Paris" in message
