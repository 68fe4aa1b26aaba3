"""The rewards page: spend, tiers, redemptions to review and fulfil, the ledger."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.rewards import services
from advocacy.rewards.models import Entry, Redemption
from advocacy.rewards.tests.helpers import NOW, advocate, complete
from advocacy.rewards.tiers import quarter_of

pytestmark = pytest.mark.django_db


def _redemption() -> Redemption:
    contact = advocate(first_name="Grace", last_name="Hopper")
    now = timezone.now()
    services.credit(contact, 10_000, "a reference call", actor=None, now=now)
    return services.redeem(contact, 4_000, "gift_card", actor=None, now=now)


def test_the_page_shows_spend_tiers_and_what_waits(client: Client, marketer: Any) -> None:
    made = _redemption()
    client.force_login(marketer)
    html = client.get(reverse("web:rewards")).content.decode()
    assert 'data-testid="rewards-spend"' in html
    assert html.count('data-testid="tier-row"') == 3
    assert "$40" in html and "Gift card" in html
    assert reverse("web:redemption_fulfil", args=[made.pk]) in html
    partial = client.get(reverse("web:rewards"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'data-testid="redemption-row"' in partial


def test_marketing_fulfils_a_redemption(client: Client, marketer: Any) -> None:
    made = _redemption()
    client.force_login(marketer)
    url = reverse("web:redemption_fulfil", args=[made.pk])
    assert client.post(url, {"delivered": "Gift card sent"}).status_code == 302
    made.refresh_from_db()
    assert (made.status, made.delivered, made.fulfilled_by) == (
        "fulfilled",
        "Gift card sent",
        marketer,
    )


def test_a_seller_may_see_but_not_fulfil(client: Client, seller: Any) -> None:
    made = _redemption()
    client.force_login(seller)
    assert client.get(reverse("web:rewards")).status_code == 200
    url = reverse("web:redemption_fulfil", args=[made.pk])
    assert client.post(url, {"delivered": "x"}).status_code == 403
    made.refresh_from_db()
    assert made.status == "requested"


def test_release_and_refuse_say_what_came_of_them(client: Client, marketer: Any) -> None:
    made = _redemption()  # waiting for fulfilment, not held: it cannot be released
    client.force_login(marketer)
    page = client.post(reverse("web:redemption_release", args=[made.pk]), follow=True)
    assert "Not released:" in page.content.decode()
    refused = client.post(reverse("web:redemption_refuse", args=[made.pk]), follow=True)
    assert "Not refused: a refusal needs a reason." in refused.content.decode()
    done = client.post(
        reverse("web:redemption_refuse", args=[made.pk]), {"reason": "duplicate"}, follow=True
    )
    assert "Refused: the advocate&#x27;s balance is restored." in done.content.decode()
    made.refresh_from_db()
    assert made.status == "refused"


def test_the_budget_is_set_and_spend_drawn_against_it(client: Client, owner: Any) -> None:
    _redemption()
    client.force_login(owner)
    quarter = quarter_of(timezone.now())
    got = client.post(reverse("web:rewards_budget"), {"quarter": quarter, "amount": "$1,000"})
    assert got.status_code == 302
    assert services.spend(quarter).budget_cents == 100_000
    html = client.get(reverse("web:rewards"), {"quarter": quarter}).content.decode()
    assert 'data-label="Budget" data-value="100000"' in html
    assert 'width="4" height="1" data-testid="spend-bar" data-label="Committed"' in html
    bad = client.post(
        reverse("web:rewards_budget"), {"quarter": quarter, "amount": "lots"}, follow=True
    )
    assert (
        "Budget not set: expected an amount in dollars (100 or 99.50), found &#x27;lots&#x27;."
        in bad.content.decode()
    )
    assert services.spend(quarter).budget_cents == 100_000


def test_processing_without_a_quarter_names_the_current_one(client: Client, marketer: Any) -> None:
    client.force_login(marketer)
    page = client.get(reverse("web:rewards_process")).content.decode()
    quarter = quarter_of(timezone.now())
    assert f"Run the tier rewards for {quarter}" in page


def test_processing_asks_first_then_credits_once(client: Client, marketer: Any) -> None:
    contact = advocate()
    for _ in range(3):  # the Advocate tier: a product credit for the quarter
        complete(contact, at=NOW)
    client.force_login(marketer)
    ask = client.get(reverse("web:rewards_process"), {"quarter": "2026Q2"})
    assert 'data-testid="process-confirm"' in ask.content.decode()
    unconfirmed = client.post(reverse("web:rewards_process"), {"quarter": "2026Q2"})
    assert unconfirmed.status_code == 200
    assert Entry.objects.filter(key__startswith="quarter:").count() == 0
    first = client.post(
        reverse("web:rewards_process"), {"quarter": "2026Q2", "confirm": "yes"}, follow=True
    )
    assert "2026Q2 processed: 1 tier reward credited;" in first.content.decode()
    second = client.post(
        reverse("web:rewards_process"), {"quarter": "2026Q2", "confirm": "yes"}, follow=True
    )
    assert "2026Q2 processed: 0 tier rewards credited;" in second.content.decode()


def test_credit_then_reverse_once_with_confirmation(client: Client, member: Any) -> None:
    contact = advocate(first_name="Ada", last_name="Lovelace")
    client.force_login(member)
    got = client.post(
        reverse("web:rewards_credit"),
        {"email": contact.email, "amount": "25", "reason": "spoke at the summit"},
        follow=True,
    )
    assert "Credited $25 to" in got.content.decode()
    entry = Entry.objects.get()
    url = reverse("web:entry_reverse", args=[entry.pk])
    assert 'data-testid="reverse-confirm"' in client.get(url).content.decode()
    client.post(url, {"reason": "typo"})  # not confirmed: nothing happens
    assert Entry.objects.count() == 1
    client.post(url, {"reason": "typo", "confirm": "yes"})
    twice = client.post(url, {"reason": "typo", "confirm": "yes"}, follow=True)
    assert f"Not reversed: entry {entry.pk} is already reversed." in twice.content.decode()
    assert services.balance(contact, timezone.now()) == 0


def test_staff_redeem_for_an_advocate_and_are_refused_over_the_balance(
    client: Client, member: Any
) -> None:
    contact = advocate()
    services.credit(contact, 5_000, "a case study", actor=None, now=timezone.now())
    client.force_login(member)
    over = client.post(
        reverse("web:rewards_redeem"),
        {"email": contact.email, "amount": "80", "reward_type": "gift_card"},
        follow=True,
    )
    assert "Not redeemed:" in over.content.decode()
    assert Redemption.objects.count() == 0
    done = client.post(
        reverse("web:rewards_redeem"),
        {"email": contact.email, "amount": "30", "reward_type": "gift_card"},
        follow=True,
    )
    assert "Redeemed $30 for" in done.content.decode()
    assert Redemption.objects.get().amount_cents == 3_000


@pytest.mark.parametrize(
    ("persona", "budget", "process", "credit", "redeem"),
    [
        ("owner", 302, 302, 302, 302),
        ("member", 403, 403, 302, 302),
        ("marketer", 403, 302, 302, 302),
        ("seller", 403, 403, 403, 403),
        ("viewer", 403, 403, 403, 403),
    ],
)
def test_each_role_may_do_what_the_table_says(
    client: Client,
    request: pytest.FixtureRequest,
    persona: str,
    budget: int,
    process: int,
    credit: int,
    redeem: int,
) -> None:
    contact = advocate()
    client.force_login(request.getfixturevalue(persona))
    got = [
        client.post(reverse("web:rewards_budget"), {"quarter": "2026Q2", "amount": "1"}),
        client.post(reverse("web:rewards_process"), {"quarter": "2026Q2", "confirm": "yes"}),
        client.post(
            reverse("web:rewards_credit"), {"email": contact.email, "amount": "1", "reason": "x"}
        ),
        client.post(
            reverse("web:rewards_redeem"),
            {"email": contact.email, "amount": "1", "reward_type": "gift_card"},
        ),
    ]
    assert [r.status_code for r in got] == [budget, process, credit, redeem]


def test_without_a_budget_the_chart_asks_for_one_beside_the_form(
    client: Client, owner: Any, marketer: Any
) -> None:
    _redemption()
    client.force_login(owner)
    html = client.get(reverse("web:rewards")).content.decode()
    assert 'data-testid="spend-bars"' not in html
    assert (
        '<p class="empty" data-testid="spend-no-budget">Set a budget for this quarter first:'
        " the form beside this card sets it.</p>"
    ) in html
    quarter = quarter_of(timezone.now())
    assert f'<h2 id="budget-heading">Set the budget for {quarter}</h2>' in html
    assert '<h3 id="credit-heading">Credit an advocate</h3>' in html
    assert '<h3 id="redeem-heading">Redeem for an advocate</h3>' in html
    client.force_login(marketer)
    html = client.get(reverse("web:rewards")).content.decode()
    assert 'data-testid="budget-form"' not in html
    assert "Set a budget for this quarter first: an administrator sets it." in html
