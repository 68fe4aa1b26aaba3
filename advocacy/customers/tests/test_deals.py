"""Deals and their contacts from a CRM: upserted by (source, id), in a constant number of
queries whatever the batch's size; links replaced only for the deals given in full."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from advocacy.customers.deals import (
    DealContactRecord,
    DealRecord,
    link_deal_contacts,
    upsert_deals,
)
from advocacy.customers.models import (
    Account,
    AccountIdentity,
    Contact,
    ContactIdentity,
    Deal,
    DealContact,
)
from advocacy.customers.records import AccountRef

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 2, 1, tzinfo=UTC)


def deals(n: int, amount: str = "100") -> list[DealRecord]:
    return [
        DealRecord(source="crm", external_id=str(i), name=f"Deal {i}",
                   account_ref=AccountRef(external_id=("crm", "acme")), amount=Decimal(amount),
                   currency="usd", stage="won", is_won=True, is_closed=True,
                   opened_at=NOW, closed_on=date(2026, 1, 31), modified_at=NOW)
        for i in range(n)
    ]  # fmt: skip


@pytest.fixture
def acme() -> Account:
    account = Account.objects.create(name="Acme", domain="acme.com")
    AccountIdentity.objects.create(account=account, source="crm", external_id="acme")
    return account


@pytest.mark.parametrize("size", [3, 300])
def test_deals_are_upserted_in_a_constant_number_of_queries(
    acme, size, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        first = upsert_deals(deals(size), now=NOW)
    assert (first.created, first.updated, first.unchanged) == (size, 0, 0)
    with django_assert_max_num_queries(6):
        again = upsert_deals(deals(size), now=NOW)
    assert (again.created, again.updated, again.unchanged) == (0, 0, size)
    changed = upsert_deals(deals(size, amount="150.5"), now=NOW)
    assert (changed.created, changed.updated) == (0, size)
    deal = Deal.objects.get(external_id="0")
    assert (deal.account, deal.amount, deal.currency, Deal.objects.count()) == (
        acme,
        Decimal("150.50"),
        "USD",
        size,
    )


def test_links_need_a_known_deal_and_contact_and_are_replaced_only_in_full(acme):
    upsert_deals(deals(2), now=NOW)
    people = []
    for name in ("ada", "bob", "cy"):
        contact = Contact.objects.create(account=acme, email=f"{name}@acme.com")
        ContactIdentity.objects.create(contact=contact, source="crm", external_id=name)
        people.append(contact)
    first = link_deal_contacts(
        [DealContactRecord(("crm", "0"), ("crm", "ada"), "Champion", True),
         DealContactRecord(("crm", "0"), ("crm", "bob")),
         DealContactRecord(("crm", "1"), ("crm", "cy")),
         DealContactRecord(("crm", "1"), ("crm", "nobody")),
         DealContactRecord(("crm", "9"), ("crm", "ada"))],
        now=timezone.now(),
    )  # fmt: skip
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    assert [(e.index, e.field, e.found) for e in first.rejected] == [
        (3, "contact", "crm:nobody"),
        (4, "deal", "crm:9"),
    ]
    again = link_deal_contacts(
        [DealContactRecord(("crm", "0"), ("crm", "ada"), "Economic buyer", True)],
        now=timezone.now(), in_full=[("crm", "0")],
    )  # fmt: skip
    assert (again.created, again.updated, again.unchanged) == (0, 1, 0)
    rows = DealContact.objects.values_list("deal__external_id", "contact__email", "role")
    assert sorted(rows) == [("0", "ada@acme.com", "Economic buyer"), ("1", "cy@acme.com", "")]
