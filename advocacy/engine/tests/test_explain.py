from datetime import UTC, date, datetime, timedelta

import pytest

from advocacy.customers.models import Account, Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.explain import Reason, next_best_asks
from advocacy.pipeline.models import AskType
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def promoter(member):
    account = Account.objects.create(
        name="Acme", domain="acme.example", customer_since=date(2025, 9, 1), owner=member
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
    assert (
        Reason("results_missing", "a measurable result shared within 365 days (found: none)", False)
        in case.reasons
    )
    assert (
        Reason(
            "stage_too_early",
            "lifecycle stage fits the ask (expansion, mature) (found: engagement)",
            False,
        )
        in case.reasons
    )


def test_ready_never_contradicts_the_reasons(promoter):
    Account.objects.filter(pk=promoter.account_id).update(nda=True)
    open_asks([AskRequest(promoter.pk, AskType.objects.get(code="community"), "m")], now=NOW)
    for at in (NOW, NOW + timedelta(days=31)):
        for option in next_best_asks(promoter, now=at).options:
            assert option.ready is all(r.ok for r in option.reasons), option


def test_a_tapped_contact_is_not_ready_until_the_cap_passes(promoter):
    open_asks([AskRequest(promoter.pk, AskType.objects.get(code="community"), "m")], now=NOW)
    review = {o.code: o for o in next_best_asks(promoter, now=NOW + timedelta(days=1)).options}[
        "review"
    ]
    assert review.ready is False
    assert (
        Reason(
            "cap_low_effort",
            "tap cap: one ask of low effort or higher per 30 days; next after 2026-07-01",
            False,
        )
        in review.reasons
    )


def test_exclusions_explain_why_not(promoter):
    Account.objects.filter(pk=promoter.account_id).update(nda=True)
    options = {o.code: o for o in next_best_asks(promoter, now=NOW).options}
    nda = Reason(
        "excluded_nda", "excluded: NDA: no ask that names the customer outside the company", False
    )
    # A public review names the reviewer and the company: the NDA covers it as well.
    assert nda in options["testimonial_quote"].reasons
    assert nda in options["review"].reasons
    assert nda not in options["anonymous_quote"].reasons
    assert options["anonymous_quote"].ready is True
