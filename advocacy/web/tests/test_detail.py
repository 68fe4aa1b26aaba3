"""The account page and the contact page with its timeline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from advocacy.customers.models import AccountIdentity, ContactIdentity, Region
from advocacy.signals.models import SignalKind
from advocacy.web.tests.conftest import HTMX, make_account, make_contact, make_signal

pytestmark = pytest.mark.django_db


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 12, 0, tzinfo=UTC)


@pytest.fixture
def ann() -> Any:
    acme = make_account(
        "Acme",
        domain="acme.example",
        industry="Manufacturing",
        region=Region.EMEA,
        employees=1200,
        products=["Core", "Insights"],
        churn_risk=True,
    )
    AccountIdentity.objects.create(account=acme, source="hubspot", external_id="C-1")
    ann = make_contact(acme, "Ann", last_name="Archer", title="VP Ops", persona="champion")
    ContactIdentity.objects.create(contact=ann, source="hubspot", external_id="901")
    make_signal(SignalKind.NPS, at(1, 10), contact=ann, value=6, text="Setup was slow")
    make_signal(SignalKind.NPS, at(3, 5), contact=ann, value=8)
    make_signal(SignalKind.TICKET_OPENED, at(3, 20), contact=ann, text="Export fails")
    make_signal(SignalKind.NPS, at(4, 2), contact=ann, value=10, text="Love the reports")
    make_signal(SignalKind.HEALTH_SCORE, at(2, 1), account=acme, value=55)
    make_signal(SignalKind.HEALTH_SCORE, at(4, 1), account=acme, value=82)
    other = make_contact(acme, "Zed")
    make_signal(SignalKind.NPS, at(4, 3), contact=other, value=0)  # not Ann's
    return ann


def test_contact_page_shows_timeline_newest_first_grouped_by_month(
    staff_client: Client, ann: Any
) -> None:
    response = staff_client.get(reverse("web:contact", kwargs={"pk": ann.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    months = response.context["months"]
    assert [m.month.strftime("%Y-%m") for m in months] == [
        "2026-04",
        "2026-03",
        "2026-02",
        "2026-01",
    ]
    assert [[(s.kind, s.value) for s in m.signals] for m in months] == [
        [("nps", 10.0), ("health_score", 82.0)],
        [("ticket_opened", None), ("nps", 8.0)],
        [("health_score", 55.0)],
        [("nps", 6.0)],
    ]
    assert html.count('data-testid="timeline-item"') == 6
    assert '<h3 class="timeline__month">April 2026</h3>' in html
    assert "Love the reports" in html
    assert '<span class="score score--good" data-testid="signal-value">10 / 10</span>' in html
    assert '<span class="score score--bad" data-testid="signal-value">6 / 10</span>' in html
    assert "Support ticket opened" in html
    assert "hubspot:901" in html
    assert f'href="/accounts/{ann.account_id}/"' in html
    assert "6 signals" in html


def test_contact_page_scores_and_sparklines(staff_client: Client, ann: Any) -> None:
    response = staff_client.get(reverse("web:contact", kwargs={"pk": ann.pk}))
    nps, health = response.context["scores"]
    assert (nps["latest"].value, nps["tone"], nps["line"].values) == (10, "good", (6, 8, 10))
    assert (health["latest"].value, health["tone"], health["line"].values) == (82, "good", (55, 82))
    html = response.content.decode()
    assert 'aria-label="NPS answer: 6, 8, 10"' in html
    assert html.count('data-testid="sparkline"') == 2


def test_contact_timeline_htmx_partial(staff_client: Client, ann: Any) -> None:
    response = staff_client.get(reverse("web:contact", kwargs={"pk": ann.pk}), **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-testid="contact-name"' not in html
    assert html.count('data-testid="timeline-item"') == 6


def test_contact_without_signals_has_an_empty_timeline(staff_client: Client) -> None:
    lone = make_contact(make_account("Solo"), "Lone")
    html = staff_client.get(reverse("web:contact", kwargs={"pk": lone.pk})).content.decode()
    assert "No signals for this contact yet." in html
    assert 'data-testid="sparkline"' not in html


def test_contact_timeline_is_paginated(staff_client: Client) -> None:
    contact = make_contact(make_account("Busy"), "Busy")
    for day in range(1, 29):
        for hour in range(4):
            make_signal(
                SignalKind.ACTIVITY, datetime(2026, 2, day, hour, tzinfo=UTC), contact=contact
            )
    url = reverse("web:contact", kwargs={"pk": contact.pk})
    first = staff_client.get(url)
    assert (first.context["page"].paginator.count, len(first.context["page"].object_list)) == (
        112,
        100,
    )
    second = staff_client.get(url, {"page": 2}, **HTMX)
    assert second.content.decode().count('data-testid="timeline-item"') == 12


def test_account_page(staff_client: Client, ann: Any) -> None:
    response = staff_client.get(reverse("web:account", kwargs={"pk": ann.account_id}))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 data-testid="account-name">Acme</h1>' in html
    assert "<dd>1,200</dd>" in html
    assert "<dd>Core, Insights</dd>" in html
    assert '<span class="flag flag--risk">Churn risk</span>' in html
    assert "hubspot:C-1" in html
    assert [str(c) for c in response.context["page"].object_list] == ["Zed", "Ann Archer"]
    assert response.context["health"]["latest"].value == 82
    assert [s.value for s in response.context["recent_signals"]] == [82, 55]


def test_account_contacts_htmx_partial(staff_client: Client, ann: Any) -> None:
    response = staff_client.get(reverse("web:account", kwargs={"pk": ann.account_id}), **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert html.count('data-testid="contact-row"') == 2


def test_detail_pages_cost_a_fixed_number_of_queries(
    staff_client: Client, ann: Any, django_assert_max_num_queries: Any
) -> None:
    # 8, plus one for the advocacy agreement section and four for the portal's (the advocate's
    # preferences in three, the notices in one), two for the badge card (the badge of the
    # year, then the tier or the consent to name them) and one for the weekly insights choice
    with django_assert_max_num_queries(16):
        staff_client.get(reverse("web:contact", kwargs={"pk": ann.pk}))
    # 9, plus one each for the account's asks, reference requests and content
    with django_assert_max_num_queries(12):
        staff_client.get(reverse("web:account", kwargs={"pk": ann.account_id}))
