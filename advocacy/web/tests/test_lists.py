"""Accounts and contacts lists: search, filters, pagination, both response shapes, query counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.customers.models import Region, SizeBand
from advocacy.signals.models import SignalKind
from advocacy.web.tests.conftest import HTMX, make_account, make_contact, make_signal

pytestmark = pytest.mark.django_db


def names(response: Any) -> list[str]:
    return [str(row) for row in response.context["page"].object_list]


@pytest.fixture
def world() -> dict[str, Any]:
    """Three accounts in different segments, four contacts with different states."""
    now = timezone.now()
    acme = make_account(
        "Acme",
        domain="acme.example",
        industry="Manufacturing",
        region=Region.EMEA,
        size_band=SizeBand.ENTERPRISE,
        nda=True,
    )
    globex = make_account(
        "Globex",
        domain="globex.example",
        industry="Software",
        region=Region.NORTH_AMERICA,
        size_band=SizeBand.SMB,
        churn_risk=True,
    )
    initech = make_account("Initech", domain="initech.example", industry="Software")
    ann = make_contact(acme, "Ann", last_name="Archer", persona="champion")
    bob = make_contact(acme, "Bob", last_name="Baker", persona="executive", left_company_at=now)
    cat = make_contact(globex, "Cat", last_name="Cole", persona="champion", opted_out_at=now)
    dan = make_contact(initech, "Dan", last_name="Dunn", persona="admin")
    make_signal(SignalKind.NPS, now - timedelta(days=40), contact=ann, value=6)
    make_signal(SignalKind.NPS, now - timedelta(days=2), contact=ann, value=10)
    make_signal(SignalKind.HEALTH_SCORE, now - timedelta(days=1), account=acme, value=35)
    return {"acme": acme, "globex": globex, "initech": initech, "contacts": [ann, bob, cat, dan]}


def test_accounts_full_page(staff_client: Client, world: dict[str, Any]) -> None:
    response = staff_client.get(reverse("web:accounts"))
    html = response.content.decode()
    assert response.status_code == 200
    assert names(response) == ["Acme", "Globex", "Initech"]
    assert "<html" in html
    assert 'id="account-results"' in html
    assert 'hx-get="/accounts/"' in html
    assert 'hx-target="#account-results"' in html
    assert response["Vary"].count("HX-Request") == 1
    rows = {a.name: a for a in response.context["page"].object_list}
    assert rows["Acme"].contact_count == 2
    assert rows["Initech"].contact_count == 1
    assert rows["Acme"].latest_health == 35
    assert rows["Globex"].latest_health is None
    assert '<span class="score score--bad">35</span>' in html


def test_accounts_htmx_returns_only_the_results_partial(
    staff_client: Client, world: dict[str, Any]
) -> None:
    response = staff_client.get(reverse("web:accounts"), {"q": "glob"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'data-testid="account-filters"' not in html
    assert 'data-testid="account-table"' in html
    assert html.count('data-testid="account-row"') == 1
    assert "1 account matches" in html


def test_history_restore_gets_the_full_page(staff_client: Client, world: dict[str, Any]) -> None:
    response = staff_client.get(
        reverse("web:accounts"), **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "acme.ex"}, ["Acme"]),
        ({"industry": "Software"}, ["Globex", "Initech"]),
        ({"region": "emea"}, ["Acme"]),
        ({"size_band": "smb"}, ["Globex"]),
        ({"flags": ["nda"]}, ["Acme"]),
        ({"flags": ["churn_risk"]}, ["Globex"]),
        ({"flags": ["nda", "churn_risk"]}, []),
        ({"industry": "Software", "q": "ini"}, ["Initech"]),
    ],
)
def test_account_filters(
    staff_client: Client, world: dict[str, Any], query: dict[str, Any], expected: list[str]
) -> None:
    assert names(staff_client.get(reverse("web:accounts"), query)) == expected


def test_an_invalid_filter_value_is_reported_and_ignored(
    staff_client: Client, world: dict[str, Any]
) -> None:
    response = staff_client.get(reverse("web:accounts"), {"region": "mars", "q": "c"})
    assert response.status_code == 200
    assert names(response) == ["Acme", "Initech"]
    assert "Select a valid choice. mars is not one of the available choices." in (
        response.content.decode()
    )


def test_industry_choices_come_from_the_data(staff_client: Client, world: dict[str, Any]) -> None:
    form = staff_client.get(reverse("web:accounts")).context["form"]
    assert form.fields["industry"].choices == [
        ("", "Any"),
        ("Manufacturing", "Manufacturing"),
        ("Software", "Software"),
    ]


def test_accounts_no_match_state(staff_client: Client, world: dict[str, Any]) -> None:
    response = staff_client.get(reverse("web:accounts"), {"q": "zzz"}, **HTMX)
    html = response.content.decode()
    assert "0 accounts match" in html
    assert "No account matches these filters." in html


def test_accounts_empty_state(staff_client: Client) -> None:
    html = staff_client.get(reverse("web:accounts")).content.decode()
    assert "No accounts yet" in html
    assert "/imports/new/?kind=accounts" in html


def test_contacts_full_page_and_columns(staff_client: Client, world: dict[str, Any]) -> None:
    response = staff_client.get(reverse("web:contacts"))
    html = response.content.decode()
    assert names(response) == ["Ann Archer", "Bob Baker", "Cat Cole", "Dan Dunn"]
    assert html.count('data-testid="contact-row"') == 4
    rows = {c.first_name: c for c in response.context["page"].object_list}
    assert rows["Ann"].latest_nps == 10
    assert rows["Dan"].latest_nps is None
    assert '<span class="score score--good">10</span>' in html
    assert '<span class="flag flag--off">Left company</span>' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "archer"}, ["Ann Archer"]),
        ({"q": "globex"}, ["Cat Cole"]),
        ({"persona": "champion"}, ["Ann Archer", "Cat Cole"]),
        ({"industry": "Software"}, ["Cat Cole", "Dan Dunn"]),
        ({"region": "na"}, ["Cat Cole"]),
        ({"size_band": "enterprise"}, ["Ann Archer", "Bob Baker"]),
        ({"flags": ["reachable"]}, ["Ann Archer", "Dan Dunn"]),
        ({"flags": ["left_company"]}, ["Bob Baker"]),
        ({"flags": ["opted_out"]}, ["Cat Cole"]),
        ({"flags": ["nda"]}, ["Ann Archer", "Bob Baker"]),
        ({"flags": ["churn_risk"]}, ["Cat Cole"]),
        ({"flags": ["nda", "reachable"]}, ["Ann Archer"]),
    ],
)
def test_contact_filters(
    staff_client: Client, world: dict[str, Any], query: dict[str, Any], expected: list[str]
) -> None:
    assert names(staff_client.get(reverse("web:contacts"), query)) == expected


def test_contacts_htmx_partial(staff_client: Client, world: dict[str, Any]) -> None:
    response = staff_client.get(reverse("web:contacts"), {"persona": "champion"}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert html.count('data-testid="contact-row"') == 2
    assert "2 contacts match" in html


def test_contacts_empty_state(staff_client: Client) -> None:
    html = staff_client.get(reverse("web:contacts")).content.decode()
    assert "No contacts yet" in html
    assert "<code>advocacy demo</code>" in html


def test_pagination_keeps_the_filters(staff_client: Client) -> None:
    account = make_account("Big", industry="Retail")
    for i in range(55):
        make_contact(account, f"P{i:02d}")
    response = staff_client.get(reverse("web:contacts"), {"industry": "Retail", "q": "p"})
    page = response.context["page"]
    assert (page.paginator.count, len(page.object_list), page.paginator.num_pages) == (55, 50, 2)
    assert 'href="?industry=Retail&amp;q=p&amp;page=2"' in response.content.decode()
    second = staff_client.get(reverse("web:contacts"), {"industry": "Retail", "page": 2}, **HTMX)
    assert len(second.context["page"].object_list) == 5
    assert second.content.decode().count('data-testid="contact-row"') == 5


def test_out_of_range_page_shows_the_last(staff_client: Client, world: dict[str, Any]) -> None:
    response = staff_client.get(reverse("web:contacts"), {"page": "99"})
    assert response.context["page"].number == 1


def test_lists_cost_a_fixed_number_of_queries(
    staff_client: Client, django_assert_max_num_queries: Any
) -> None:
    now = timezone.now()
    for a in range(12):
        account = make_account(f"Co {a}", industry=f"Industry {a % 3}")
        for c in range(4):
            contact = make_contact(account, f"N{a}x{c}")
            make_signal(SignalKind.NPS, now - timedelta(days=c), contact=contact, value=c + 6)
        make_signal(SignalKind.HEALTH_SCORE, now, account=account, value=70)
    # session + user + industry choices + count + page (+ savepoints on some backends)
    with django_assert_max_num_queries(6):
        response = staff_client.get(reverse("web:contacts"), {"flags": ["reachable"]})
    assert len(response.context["page"].object_list) == 48
    with django_assert_max_num_queries(6):
        response = staff_client.get(reverse("web:accounts"))
    assert len(response.context["page"].object_list) == 12
