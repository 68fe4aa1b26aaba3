"""The lists people work with: sortable columns and paging; Ask now, Ask the selected, Assign
and Nominate; the account's asks, requests and content; the search page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.content.models import Asset
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.pipeline.models import Ask, AskType
from advocacy.references.models import Offer, ReferenceRequest
from advocacy.signals.models import Signal
from advocacy.signals.tests.promoters import customer
from advocacy.web.tests.conftest import HTMX, make_account, make_contact
from advocacy.workqueue.tests.search_world import world as search_world

pytestmark = pytest.mark.django_db


def names(response: Any) -> list[str]:
    return [str(row) for row in response.context["page"].object_list]


@pytest.fixture
def people() -> list[Any]:
    acme = make_account("Acme", domain="acme.example", arr=50000)
    zeta = make_account("Zeta", domain="zeta.example")
    beta = make_account("Beta", domain="beta.example", arr=90000)
    return [
        make_contact(zeta, "Ann", last_name="Young", email="zz@zeta.example", persona="admin"),
        make_contact(acme, "Bob", last_name="Archer", email="bob@acme.example"),
        make_contact(beta, "Cat", last_name="Archer", email="aa@beta.example"),
    ]


def test_contacts_sort_by_each_column_and_fall_back_on_an_unknown_one(
    staff_client: Client, people: list[Any]
) -> None:
    url = reverse("web:contacts")
    assert names(staff_client.get(url)) == ["Bob Archer", "Cat Archer", "Ann Young"]
    assert names(staff_client.get(url, {"sort": "-name"})) == [
        "Ann Young", "Cat Archer", "Bob Archer"
    ]  # fmt: skip
    assert names(staff_client.get(url, {"sort": "email"})) == [
        "Cat Archer", "Bob Archer", "Ann Young"
    ]  # fmt: skip
    assert names(staff_client.get(url, {"sort": "account"})) == [
        "Bob Archer", "Cat Archer", "Ann Young"
    ]  # fmt: skip
    assert names(staff_client.get(url, {"sort": "bogus"})) == [
        "Bob Archer", "Cat Archer", "Ann Young"
    ]  # fmt: skip
    html = staff_client.get(url, {"sort": "persona", "q": "a"}, **HTMX).content.decode()
    # The current column says how it is sorted; its link turns the order round, filters kept.
    current = '<th scope="col" aria-sort="ascending"><a class="sort sort--on" href='
    assert current + '"?sort=-persona&amp;q=a"' in html
    assert '<th scope="col" aria-sort="none"><a class="sort" href="?sort=name&amp;q=a"' in html


def test_paging_keeps_the_order_and_never_repeats_a_row(
    staff_client: Client, people: list[Any]
) -> None:
    acme = people[1].account
    for i in range(55):
        make_contact(acme, "Twin", last_name="Same", email=f"twin{i:02}@acme.example")
    url = reverse("web:contacts")
    first = staff_client.get(url, {"sort": "-name"})
    second = staff_client.get(url, {"sort": "-name", "page": 2})
    seen = [c.pk for c in first.context["page"].object_list] + [
        c.pk for c in second.context["page"].object_list
    ]
    assert len(seen) == len(set(seen)) == 58
    assert 'href="?sort=-name&amp;page=2"' in first.content.decode()


def test_accounts_sort_by_arr_with_the_unknown_last(
    staff_client: Client, people: list[Any]
) -> None:
    url = reverse("web:accounts")
    assert names(staff_client.get(url, {"sort": "arr"})) == ["Acme", "Beta", "Zeta"]
    assert names(staff_client.get(url, {"sort": "-arr"})) == ["Beta", "Acme", "Zeta"]
    assert names(staff_client.get(url, {"sort": "-name"})) == ["Zeta", "Beta", "Acme"]


def test_ask_now_opens_the_ask_picked(staff_client: Client, member: Any) -> None:
    ann = customer("ann@ann.example", at=timezone.now())
    page = staff_client.get(reverse("web:contact", args=[ann.pk])).content.decode()
    assert f'href="/contacts/{ann.pk}/ask/" data-testid="ask-now">Ask now</a>' in page
    assert f'href="/contacts/{ann.pk}/nominate/" data-testid="nominate">Nominate</a>' in page
    form = staff_client.get(reverse("web:contact_ask", args=[ann.pk]))
    choices = form.context["form"].fields["ask_type"].choices
    assert choices[0][1].endswith(" (ready)")

    response = staff_client.post(
        reverse("web:contact_ask", args=[ann.pk]), {"ask_type": "review", "note": "at the QBR"}
    )

    ask = Ask.objects.get(contact=ann)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:ask", args=[ask.pk])
    assert (ask.ask_type.code, ask.owner_id) == ("review", member.pk)


def test_ask_now_explains_the_cap_when_it_refuses(staff_client: Client) -> None:
    now = timezone.now()
    ann = customer("ann@ann.example", at=now)
    quote = AskType.objects.get(code="testimonial_quote")
    assert open_asks([AskRequest(ann.pk, quote, "x")], now=now - dt.timedelta(days=5)).opened

    response = staff_client.post(reverse("web:contact_ask", args=[ann.pk]), {"ask_type": "review"})

    html = response.content.decode()
    assert response.status_code == 409
    assert Ask.objects.filter(ask_type__code="review").count() == 0
    assert response.context["refused"][0][0] == "cap_low_effort"
    assert '<li class="reason reason--no" data-code="cap_low_effort">' in html
    assert (
        "Tap cap: ann@ann.example may be asked one ask of low effort or higher per 30 days" in html
    )
    assert "override_reason" not in html


def test_ask_now_and_nominate_are_not_offered_to_a_role_that_may_not(
    marketing_client: Client,
) -> None:
    ann = customer("ann@ann.example")
    page = marketing_client.get(reverse("web:contact", args=[ann.pk])).content.decode()
    assert 'data-testid="ask-now"' not in page
    assert 'data-testid="nominate"' not in page
    assert marketing_client.get(reverse("web:contact_ask", args=[ann.pk])).status_code == 403


def test_nominate_records_the_reason(staff_client: Client) -> None:
    ann = customer("ann@ann.example")
    url = reverse("web:contact_nominate", args=[ann.pk])
    assert staff_client.post(url, {"reason": " "}).status_code == 422

    response = staff_client.post(url, {"reason": "Shared a 30% time saving"})

    assert response.status_code == 302
    signal = Signal.objects.get(kind="csm_nomination")
    assert (signal.contact_id, signal.text, signal.payload["by"]) == (
        ann.pk, "Shared a 30% time saving", "member"
    )  # fmt: skip
    again = staff_client.get(url).content.decode()
    assert ": Shared a 30% time saving</li>" in again


def test_ask_the_selected_from_the_contacts_list(staff_client: Client) -> None:
    now = timezone.now()
    ann = customer("ann@ann.example", at=now)
    bob = customer("bob@bob.example", at=now, nps=3)
    listing = staff_client.get(reverse("web:contacts")).content.decode()
    assert 'data-testid="bulk-ask">Ask the selected</button>' in listing
    assert f'name="contact" value="{ann.pk}" form="contact-bulk"' in listing

    response = staff_client.post(
        reverse("web:contacts_ask"),
        {"contact": [ann.pk, bob.pk], "ask_type": "review", "back": "/contacts/?q=a"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Review (G2, Capterra, TrustRadius): 1 asked, 1 not" in html
    assert [a.contact_id for a, _ in response.context["opened"]] == [ann.pk]
    assert [(r.email, r.code) for r, _ in response.context["refused"]] == [
        ("bob@bob.example", "nps_below_min, excluded_dissatisfied")
    ]
    assert 'href="/contacts/?q=a"' in html
    nothing = staff_client.post(reverse("web:contacts_ask"), {"ask_type": "review"})
    assert (nothing.status_code, nothing["Location"]) == (302, "/contacts/")
    elsewhere = staff_client.post(
        reverse("web:contacts_ask"), {"ask_type": "", "back": "https://evil.example/"}
    )
    assert elsewhere["Location"] == "/contacts/"


def test_the_asks_list_filters_sorts_and_assigns(staff_client: Client, owner: Any) -> None:
    now = timezone.now()
    review = AskType.objects.get(code="review")
    ann = customer("ann@ann.example", at=now)
    bob = customer("bob@bob.example", at=now)
    first = open_asks([AskRequest(ann.pk, review, "m")], now=now - dt.timedelta(days=2)).opened
    second = open_asks([AskRequest(bob.pk, review, "m")], now=now).opened
    Ask.objects.filter(pk=first[0].pk).update(due_at=now + dt.timedelta(days=1))
    url = reverse("web:asks")
    listing = staff_client.get(url)
    assert [a.pk for a in listing.context["page"].object_list] == [second[0].pk, first[0].pk]
    by_due = staff_client.get(url, {"sort": "due"})
    assert [a.pk for a in by_due.context["page"].object_list] == [first[0].pk, second[0].pk]
    assert [a.pk for a in staff_client.get(url, {"status": "accepted"}).context["page"]] == []

    response = staff_client.post(
        reverse("web:asks_assign"),
        {"ask": [first[0].pk, second[0].pk], "owner": owner.pk, "back": "/asks/?sort=due"},
    )

    assert (response.status_code, response["Location"]) == (302, "/asks/?sort=due")
    assert set(Ask.objects.values_list("owner_id", flat=True)) == {owner.pk}
    mine = staff_client.get(url, {"owner": str(owner.pk)})
    assert len(mine.context["page"].object_list) == 2


def test_the_account_page_shows_its_asks_requests_and_content(
    staff_client: Client, member: Any
) -> None:
    now = timezone.now()
    ann = customer("ann@ann.example", at=now)
    ask = open_asks([AskRequest(ann.pk, AskType.objects.get(code="reference_call"), "m")],
                    now=now).opened[0]  # fmt: skip
    request = ReferenceRequest.objects.create(
        opportunity="Big deal", prospect_company="Initech", industry="SaaS",
        needed_by=now.date(), requested_by=member, filed_at=now, updated_at=now,
    )  # fmt: skip
    Offer.objects.create(request=request, contact=ann, ask=ask, offered_at=now)
    Asset.objects.create(kind="case_study", title="Ann's story", contact=ann, account=ann.account,
                         created_at=now, updated_at=now)  # fmt: skip

    html = staff_client.get(reverse("web:account", args=[ann.account_id])).content.decode()

    assert html.count('data-testid="account-ask-row"') == 1
    assert f'<a href="/asks/{ask.pk}/">Reference call</a>' in html
    assert f'<a href="/references/{request.pk}/">Initech: Big deal</a>' in html
    assert "Ann&#x27;s story</a>" in html


def test_the_search_page_groups_what_it_finds(staff_client: Client, seller: Any) -> None:
    w = search_world(seller)
    page = staff_client.get(reverse("web:home")).content.decode()
    assert 'action="/search/" role="search"' in page

    response = staff_client.get(reverse("web:search"), {"q": "ada"})

    html = response.content.decode()
    assert response.status_code == 200
    assert [g["name"] for g in response.context["groups"]] == [
        "contacts", "accounts", "asks", "requests", "content"
    ]  # fmt: skip
    assert f'<a href="/contacts/{w["ada"].pk}/">Ada Lovelace</a>' in html
    assert f'<a href="/references/{w["request"].pk}/">Initech</a>' in html
    assert 'data-testid="search-group-content"' not in html  # nothing found there
    partial = staff_client.get(reverse("web:search"), {"q": "zzz"}, **HTMX).content.decode()
    assert "<html" not in partial
    assert "Nothing starts with “zzz”." in partial


def test_the_desk_and_the_library_sort_and_page(staff_client: Client, member: Any) -> None:
    now = timezone.now()
    for i, company in enumerate(["Umbrella", "Initech", "Hooli"]):
        ReferenceRequest.objects.create(
            opportunity=f"Deal {i}", prospect_company=company, industry="SaaS",
            needed_by=now.date() + dt.timedelta(days=i), requested_by=member, filed_at=now,
            updated_at=now,
        )  # fmt: skip
    desk = reverse("web:references")
    assert [r.prospect_company for r in staff_client.get(desk).context["requests"]] == [
        "Umbrella", "Initech", "Hooli"
    ]  # fmt: skip
    by_prospect = staff_client.get(desk, {"sort": "prospect"}).context["requests"]
    assert [r.prospect_company for r in by_prospect] == ["Hooli", "Initech", "Umbrella"]
    ann = customer("ann@ann.example")
    for title in ("beta story", "Alpha story", "gamma story"):
        Asset.objects.create(kind="quote", title=title, contact=ann, account=ann.account,
                             created_at=now, updated_at=now)  # fmt: skip
    library = staff_client.get(reverse("web:content"), {"sort": "-title"})
    assert [a.title for a in library.context["page"].object_list] == [
        "gamma story", "beta story", "Alpha story"
    ]  # fmt: skip
