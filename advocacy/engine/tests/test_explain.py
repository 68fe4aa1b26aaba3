from datetime import UTC, date, datetime, timedelta

import pytest

from advocacy.customers.models import Account, Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.explain import next_best_asks
from advocacy.pipeline.models import AskType
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def promoter():
    account = Account.objects.create(
        name="Acme", domain="acme.example", customer_since=date(2025, 9, 1)
    )
    c = Contact.objects.create(account=account, email="ada@acme.example", persona="admin")
    for key, kind, days, value in [
        ("n", "nps", 10, 10),
        ("h", "health_score", 5, 82),
        ("a", "activity", 2, None),
    ]:
        Signal.objects.create(
            source="t",
            key=key,
            kind=kind,
            account=account,
            contact=None if kind == "health_score" else c,
            occurred_at=NOW - timedelta(days=days),
            value=value,
        )
    return c


def test_ready_asks_come_first_with_their_reasons(promoter):
    result = next_best_asks(promoter, now=NOW)
    by_code = {o.code: o for o in result.options}
    assert result.profile["stage"] == "engagement"
    assert by_code["review"].ready is True
    assert result.options[0].ready is True
    assert result.options[0].code in {"review", "testimonial_quote", "community"}
    case = by_code["case_study"]
    assert case.ready is False
    assert any(
        r.text.startswith("last result shared within the last 365 days") and not r.ok
        for r in case.reasons
    )


def test_a_tapped_contact_is_not_ready_until_the_cap_passes(promoter):
    open_asks([AskRequest(promoter.pk, AskType.objects.get(code="community"), "m")], now=NOW)
    review = {o.code: o for o in next_best_asks(promoter, now=NOW + timedelta(days=1)).options}[
        "review"
    ]
    assert review.ready is False
    assert "tap cap: next low-effort ask after 2026-07-01" in [r.text for r in review.reasons]


def test_exclusions_explain_why_not(promoter):
    Account.objects.filter(pk=promoter.account_id).update(nda=True)
    options = {o.code: o for o in next_best_asks(promoter, now=NOW).options}
    assert "excluded: NDA / no logo use" in [r.text for r in options["testimonial_quote"].reasons]
    assert "excluded: NDA / no logo use" not in [r.text for r in options["review"].reasons]
