"""The advocates page: who is ready for what, its filters, its empty state and its button."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.core.models import Job
from advocacy.engine.models import ContactProfile
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.engine.state import refresh_profiles
from advocacy.pipeline.models import AskType
from advocacy.signals.models import SignalKind
from advocacy.web.tests.conftest import HTMX, csm, make_account, make_contact, make_signal
from advocacy.web.tests.engine_world import advocates

pytestmark = pytest.mark.django_db

ANN_READY = [
    "advisory_board",
    "anonymous_quote",
    "community",
    "reference_call",
    "referral",
    "review",
    "speaker",
    "testimonial_quote",
    "video_testimonial",
]


def names(response: Any) -> list[str]:
    return [str(profile.contact) for profile in response.context["page"].object_list]


@pytest.fixture
def world() -> dict[str, Any]:
    return advocates(timezone.now())


def test_profiles_of_the_world_are_what_the_tests_rely_on(world: dict[str, Any]) -> None:
    rows = {
        str(p.contact): (p.stage, p.rung, p.ready_codes)
        for p in ContactProfile.objects.select_related("contact")
    }
    assert rows == {
        "Ann Archer": ("mature", "engaged", ANN_READY),
        "Bob Baker": ("activation", "satisfied", []),
        "Cat Cole": ("activation", "none", []),
        "Dan Dunn": ("activation", "none", []),
    }


def test_advocates_full_page(staff_client: Client, world: dict[str, Any]) -> None:
    response = staff_client.get(reverse("web:advocates"))
    html = response.content.decode()
    assert response.status_code == 200
    # Most ready first (Ann: nine ask types); then by NPS, those without one last.
    assert names(response) == ["Ann Archer", "Cat Cole", "Bob Baker", "Dan Dunn"]
    assert "<html" in html
    assert 'hx-get="/advocates/"' in html
    assert 'hx-target="#advocate-results"' in html
    assert '<a href="/advocates/" aria-current="page">Advocates</a>' in html
    assert html.count('data-testid="advocate-row"') == 4
    assert "4 contacts" in html
    assert '<span class="stage stage--mature">Mature</span>' in html
    assert '<span class="rung rung--engaged">Engaged</span>' in html
    assert '<span class="score score--good">10</span>' in html  # Ann's NPS
    assert '<span class="score score--bad">3</span>' in html  # Cat's NPS
    assert '<span class="ready-badge" title="Testimonial quote">Testimonial quote</span>' in html
    review = '<span class="ready-badge" title="Review (G2, Capterra, TrustRadius)">Review</span>'
    assert review in html
    assert html.count('class="ready-badge"') == len(ANN_READY)
    assert html.count('<span class="muted">Not now</span>') == 3
    assert response.context["as_of"] is not None
    assert 'data-testid="profiles-as-of"' in html
    assert 'action="/advocates/refresh/"' in html


def test_advocates_htmx_returns_only_the_results(
    staff_client: Client, world: dict[str, Any]
) -> None:
    response = staff_client.get(reverse("web:advocates"), {"stage": "activation"}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-testid="advocate-filters"' not in html
    assert html.count('data-testid="advocate-row"') == 3
    assert "3 contacts match" in html
    assert response["Vary"].count("HX-Request") == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "archer"}, ["Ann Archer"]),
        ({"q": "globex"}, ["Cat Cole"]),
        ({"q": "dan.", "stage": "activation"}, ["Dan Dunn"]),
        ({"industry": "Software"}, ["Cat Cole", "Dan Dunn"]),
        ({"region": "emea"}, ["Ann Archer", "Bob Baker"]),
        ({"size_band": "smb"}, ["Cat Cole"]),
        ({"persona": "champion"}, ["Ann Archer", "Cat Cole"]),
        ({"stage": "mature"}, ["Ann Archer"]),
        ({"stage": "activation"}, ["Bob Baker", "Cat Cole", "Dan Dunn"]),
        ({"rung": "satisfied"}, ["Bob Baker"]),
        ({"rung": "none"}, ["Cat Cole", "Dan Dunn"]),
        ({"ready": "review"}, ["Ann Archer"]),
        ({"ready": "case_study"}, []),
        ({"ready": "review", "persona": "executive"}, []),
    ],
)
def test_advocate_filters(
    staff_client: Client, world: dict[str, Any], query: dict[str, Any], expected: list[str]
) -> None:
    by_name = {"sort": "name", **query}  # the filters, in an order that does not depend on them
    assert names(staff_client.get(reverse("web:advocates"), by_name)) == expected


def test_ready_for_matches_whole_codes_only(staff_client: Client, world: dict[str, Any]) -> None:
    """GIVEN an ask type whose code ends in another's ("peer_review" and "review")."""
    AskType.objects.create(code="peer_review", name="Peer review", effort="low")
    ContactProfile.objects.filter(contact=world["bob"]).update(ready="peer_review,")
    ContactProfile.objects.filter(contact=world["cat"]).update(ready="community,peer_review,")
    assert names(staff_client.get(reverse("web:advocates"), {"ready": "review"})) == ["Ann Archer"]
    peer = {"ready": "peer_review", "sort": "name"}
    assert names(staff_client.get(reverse("web:advocates"), peer)) == [
        "Bob Baker",
        "Cat Cole",
    ]


def test_ready_for_choices_name_every_ask_type(staff_client: Client, world: dict[str, Any]) -> None:
    form = staff_client.get(reverse("web:advocates")).context["form"]
    choices = dict(form.fields["ready"].choices)
    assert len(choices) == 1 + AskType.objects.count() == 12
    assert choices["case_study"] == "Case study"


def test_an_invalid_filter_is_reported_and_ignored(
    staff_client: Client, world: dict[str, Any]
) -> None:
    response = staff_client.get(reverse("web:advocates"), {"stage": "retired", "rung": "none"})
    assert names(response) == ["Cat Cole", "Dan Dunn"]
    assert "Select a valid choice. retired is not one of the available choices." in (
        response.content.decode()
    )


def test_no_match_state(staff_client: Client, world: dict[str, Any]) -> None:
    html = staff_client.get(reverse("web:advocates"), {"q": "zzz"}, **HTMX).content.decode()
    assert "0 contacts match" in html
    assert "No contact matches these filters." in html


def test_empty_state_offers_to_compute_profiles(staff_client: Client) -> None:
    make_contact(make_account("Acme"), "Ann")
    response = staff_client.get(reverse("web:advocates"))
    html = response.content.decode()
    assert response.context["has_any"] is False
    assert "No profiles computed yet" in html
    assert 'data-testid="profiles-compute"' in html
    assert 'data-testid="advocate-filters"' not in html


def test_compute_profiles_now(staff_client: Client) -> None:
    acme = make_account("Acme")
    ann = make_contact(acme, "Ann")
    make_contact(acme, "Bob")
    make_signal(SignalKind.NPS, timezone.now() - timedelta(days=1), contact=ann, value=10)
    response = staff_client.post(reverse("web:advocates_refresh"), follow=True)
    job = Job.objects.get(kind="profiles")
    assert response.redirect_chain == [(reverse("web:job", kwargs={"pk": job.pk}), 302)]
    assert ContactProfile.objects.count() == 2
    assert "Profiles computed for 2 contact(s)." in response.content.decode()
    assert names(staff_client.get(reverse("web:advocates"))) == ["Ann", "Bob"]


def test_compute_profiles_with_no_contacts_says_so(staff_client: Client) -> None:
    response = staff_client.post(reverse("web:advocates_refresh"), follow=True)
    assert "There are no contacts to profile yet: import some first." in (response.content.decode())


def test_compute_profiles_is_post_only_and_needs_login(client: Client, member: Any) -> None:
    url = reverse("web:advocates_refresh")
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:login')}?next={url}"
    client.force_login(member)
    assert client.get(url).status_code == 405
    assert ContactProfile.objects.count() == 0


def test_advocates_page_needs_login(client: Client) -> None:
    response = client.get(reverse("web:advocates"))
    assert response.status_code == 302


def test_pagination_keeps_the_filters(staff_client: Client) -> None:
    account = make_account("Big", industry="Retail")
    for i in range(55):
        make_contact(account, f"P{i:02d}")
    refresh_profiles(now=timezone.now(), policy=DEFAULT_POLICY)
    response = staff_client.get(reverse("web:advocates"), {"industry": "Retail", "rung": "none"})
    page = response.context["page"]
    assert (page.paginator.count, len(page.object_list), page.paginator.num_pages) == (55, 50, 2)
    assert 'href="?industry=Retail&amp;rung=none&amp;page=2"' in response.content.decode()


def test_advocates_cost_a_fixed_number_of_queries(
    staff_client: Client, django_assert_max_num_queries: Any
) -> None:
    now = timezone.now()
    for a in range(12):
        account = make_account(
            f"Co {a}", industry=f"Industry {a % 3}", customer_since=date(2024, 1, 1), owner=csm()
        )
        make_signal(SignalKind.HEALTH_SCORE, now, account=account, value=80)
        for c in range(4):
            contact = make_contact(account, f"N{a}x{c}")
            make_signal(SignalKind.NPS, now - timedelta(days=c), contact=contact, value=c + 7)
            make_signal(SignalKind.ACTIVITY, now - timedelta(days=1), contact=contact)
    refresh_profiles(now=now, policy=DEFAULT_POLICY)
    # session + user + ask types + industry choices + latest as_of + count + page
    with django_assert_max_num_queries(7):
        response = staff_client.get(reverse("web:advocates"))
    assert len(response.context["page"].object_list) == 48
    with django_assert_max_num_queries(7):
        response = staff_client.get(reverse("web:advocates"), {"ready": "review"}, **HTMX)
    assert len(response.context["page"].object_list) == 24
