from datetime import UTC, date, datetime, timedelta

import pytest

from advocacy.customers.models import Account, Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.models import ContactProfile
from advocacy.engine.state import contacts_changed_since, refresh_profiles
from advocacy.pipeline.models import AskType
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def test_profiles_are_written_and_rewritten_set_based(member):
    account = Account.objects.create(
        name="Acme", domain="acme.example", customer_since=date(2025, 9, 1), owner=member
    )
    happy, quiet = Contact.objects.bulk_create(
        [
            Contact(account=account, email="h@acme.example"),
            Contact(account=account, email="q@acme.example"),
        ]
    )
    Signal.objects.create(
        source="t",
        key="n",
        kind="nps",
        account=account,
        contact=happy,
        occurred_at=NOW - timedelta(days=3),
        value=10,
    )
    Signal.objects.create(
        source="t",
        key="a",
        kind="activity",
        account=account,
        contact=happy,
        occurred_at=NOW - timedelta(days=1),
    )
    Signal.objects.create(
        source="t",
        key="h",
        kind="health_score",
        account=account,
        occurred_at=NOW - timedelta(days=2),
        value=80,
    )
    refresh_profiles(now=NOW)
    h = ContactProfile.objects.get(contact=happy)
    q = ContactProfile.objects.get(contact=quiet)
    assert (h.nps, h.stage, h.rung) == (10.0, "engagement", "engaged")
    # The engagement stage's asks: low effort (a referral waits for expansion).
    assert h.ready_codes == ["anonymous_quote", "community", "review", "testimonial_quote"]
    # The account's health alone makes the quiet one satisfied; without NPS, ready for nothing.
    assert (q.nps, q.stage, q.rung, q.ready) == (None, "activation", "satisfied", "")
    open_asks([AskRequest(happy.pk, AskType.objects.get(code="review"), "m")], now=NOW)
    last = Signal.objects.order_by("-id").values_list("id", flat=True).first()
    Signal.objects.create(
        source="t", key="t", kind="ticket_opened", account=account, occurred_at=NOW
    )
    changed = contacts_changed_since(last)
    assert sorted(changed.values_list("email", flat=True)) == ["h@acme.example", "q@acme.example"]
    refresh_profiles(now=NOW + timedelta(hours=1), contact_ids=changed.values_list("pk", flat=True))
    h.refresh_from_db()
    assert (h.open_tickets, h.ready) == (1, "")
    assert ContactProfile.objects.count() == 2
