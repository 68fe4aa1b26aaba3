"""The pipeline board at scale: filters, saved views, a page of cards per column, the Move menu."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.customers.models import Account, Contact
from advocacy.engine.asks import AskRequest, open_asks
from advocacy.pipeline.board import CARDS_PER_PAGE, SavedView
from advocacy.pipeline.models import Ask, AskType
from advocacy.web.tests.conftest import HTMX, make_account, make_contact

pytestmark = pytest.mark.django_db


def open_ask(status: str = "sent", code: str = "review", **fields: Any) -> Ask:
    contact = make_contact(make_account())
    request = AskRequest(
        contact.pk, AskType.objects.get(code=code), "signal:1", status=status, **fields
    )
    return open_asks([request], now=timezone.now()).opened[0]


def cards(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-testid="card-(\d+)"', html)}


def count(html: str, key: str) -> int:
    found = re.search(rf'data-testid="count-{key}">(\d+)<', html)
    assert found, key
    return int(found.group(1))


def board(client: Client, **params: Any) -> str:
    response = client.get(reverse("web:pipeline"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_board_filters_by_owner_play_type_and_due_date(
    staff_client: Client, member: Any, seller: Any
) -> None:
    now = timezone.now()
    play = "nps-promoter-review"
    mine = open_ask(owner_id=member.pk, due_at=now - dt.timedelta(days=2), play=play)
    week = open_ask(owner_id=seller.pk, due_at=now + dt.timedelta(days=3), code="case_study")
    later = open_ask(owner_id=seller.pk, due_at=now + dt.timedelta(days=20), play=play)
    undated = open_ask("accepted", code="case_study")
    closed = open_ask("declined", owner_id=member.pk, due_at=now - dt.timedelta(days=9))
    assert cards(board(staff_client)) == {mine.pk, week.pk, later.pk, undated.pk, closed.pk}
    assert cards(board(staff_client, owner="seller")) == {week.pk, later.pk}
    assert cards(board(staff_client, mine="on")) == {mine.pk, closed.pk}
    assert cards(board(staff_client, play="nps-promoter-review")) == {mine.pk, later.pk}
    assert cards(board(staff_client, play="-")) == {week.pk, undated.pk, closed.pk}
    assert cards(board(staff_client, ask_type="case_study")) == {week.pk, undated.pk}
    assert cards(board(staff_client, due="overdue")) == {mine.pk}
    assert cards(board(staff_client, due="week")) == {week.pk}
    assert cards(board(staff_client, due="later")) == {later.pk, undated.pk}
    both = board(staff_client, owner="seller", due="later")
    assert cards(both) == {later.pk}
    assert (count(both, "sent"), count(both, "accepted"), count(both, "closed")) == (1, 0, 0)


def test_a_bad_filter_value_is_reported_and_left_out(staff_client: Client) -> None:
    ask = open_ask()
    html = board(staff_client, due="someday", owner="nobody")
    assert cards(html) == {ask.pk}
    assert html.count('class="field-error"') == 2


def test_the_owner_and_type_choices_are_labels(staff_client: Client, member: Any) -> None:
    member.first_name, member.last_name = "Mia", "Member"
    member.save()
    open_ask(owner_id=member.pk, owner_role="cs")
    html = board(staff_client)
    assert '<option value="member">Mia Member</option>' in html
    assert '<option value="cs">Customer success</option>' in html
    assert '<option value="case_study">Case study</option>' in html
    assert '<option value="overdue">Overdue</option>' in html


def test_moves_sit_in_one_menu_per_card(staff_client: Client) -> None:
    ask = open_ask("sent")
    html = board(staff_client)
    card = html.split(f'data-testid="card-{ask.pk}"')[1].split("</li>")[0]
    assert card.count('data-testid="move-menu"') == 1
    menu = card.split('data-testid="move-menu"')[1].split("</details>")[0]
    assert re.findall(r'name="to" value="(\w+)"', menu) == [
        "accepted",
        "declined",
        "expired",
        "cancelled",
    ]
    assert f'data-move-url="{reverse("web:ask_move", args=[ask.pk])}"' in card
    assert 'data-status="sent"' in card


def test_a_viewer_gets_neither_menu_nor_drag(client: Client, viewer: Any) -> None:
    ask = open_ask("sent")
    client.force_login(viewer)
    html = board(client)
    card = html.split(f'data-testid="card-{ask.pk}"')[1].split("</li>")[0]
    assert "move-menu" not in card and 'draggable="true"' not in card
    assert 'data-testid="save-view-form"' in html  # their own views are theirs to keep


def test_a_column_shows_one_page_and_counts_them_all(
    staff_client: Client, django_assert_max_num_queries: Any
) -> None:
    account = Account.objects.create(name="Big")
    contacts = Contact.objects.bulk_create(
        Contact(account=account, email=f"c{i}@big.example") for i in range(130)
    )
    review = AskType.objects.get(code="review")
    now = timezone.now()
    requests = [
        AskRequest(c.pk, review, f"m{i}", status="sent", due_at=now + dt.timedelta(hours=i))
        for i, c in enumerate(contacts)
    ]
    opened = open_asks(requests, now=now).opened
    by_due = sorted(opened, key=lambda a: (a.due_at, a.pk))
    with django_assert_max_num_queries(30):
        html = board(staff_client, play="-")
    assert count(html, "sent") == 130
    assert cards(html) == {a.pk for a in by_due[:CARDS_PER_PAGE]}
    more = re.search(r'href="([^"]+)" hx-get="[^"]+" hx-target="closest li"', html)
    assert more is not None
    url = more.group(1).replace("&amp;", "&")
    assert url == reverse("web:pipeline_column", args=["sent"]) + "?play=-&page=2"
    second = staff_client.get(url, **HTMX).content.decode()
    assert "<html" not in second
    assert cards(second) == {a.pk for a in by_due[CARDS_PER_PAGE : 2 * CARDS_PER_PAGE]}
    assert "?play=-&amp;page=3" in second
    last = staff_client.get(url.replace("page=2", "page=3")).content.decode()
    assert "<html" in last and "Cards 101\u2013130 of 130" in last
    assert cards(last) == {a.pk for a in by_due[2 * CARDS_PER_PAGE :]}
    assert 'data-testid="more-sent"' not in last
    assert staff_client.get(reverse("web:pipeline_column", args=["nope"])).status_code == 404


def test_the_board_reads_the_same_queries_for_ten_and_for_two_hundred_asks(
    staff_client: Client, django_assert_num_queries: Any
) -> None:
    account = Account.objects.create(name="Big")
    review = AskType.objects.get(code="review")

    def grow(n: int, start: int) -> None:
        contacts = Contact.objects.bulk_create(
            Contact(account=account, email=f"c{start + i}@big.example") for i in range(n)
        )
        open_asks(
            [AskRequest(c.pk, review, f"m{i}", status="sent") for i, c in enumerate(contacts)],
            now=timezone.now(),
        )

    grow(10, 0)
    staff_client.get(reverse("web:pipeline"))  # the session and the content types warm
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        staff_client.get(reverse("web:pipeline"))
    grow(190, 10)
    with django_assert_num_queries(len(small.captured_queries)):
        staff_client.get(reverse("web:pipeline"))


def test_a_user_saves_a_view_and_picks_it_again(
    staff_client: Client, member: Any, seller: Any
) -> None:
    overdue = open_ask(owner_id=seller.pk, due_at=timezone.now() - dt.timedelta(days=1))
    open_ask(owner_id=seller.pk, due_at=timezone.now() + dt.timedelta(days=1))
    response = staff_client.post(
        reverse("web:pipeline_view_save"),
        {"name": "  Seller   overdue ", "owner": "seller", "due": "overdue"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:pipeline") + "?owner=seller&due=overdue"
    view = SavedView.objects.get()
    assert (view.user, view.name, view.filters) == (
        member,
        "Seller overdue",
        {"owner": "seller", "due": "overdue"},
    )
    html = board(staff_client)
    link = re.search(r'<a href="([^"]+)"[^>]*data-testid="saved-view-link">Seller overdue<', html)
    assert link is not None
    picked = board(
        staff_client, **dict(p.split("=") for p in link.group(1).split("?")[1].split("&amp;"))
    )
    assert cards(picked) == {overdue.pk}
    assert 'aria-current="true" data-testid="saved-view-link">Seller overdue<' in picked
    staff_client.post(reverse("web:pipeline_view_save"), {"name": "Seller overdue", "due": "week"})
    assert SavedView.objects.get().filters == {"due": "week"}  # saved again: replaced


def test_saved_views_belong_to_their_user(
    client: Client, member: Any, seller: Any, viewer: Any
) -> None:
    now = timezone.now()
    SavedView.objects.create(
        user=seller, name="Mine", filters={"mine": True}, created_at=now, updated_at=now
    )
    client.force_login(viewer)
    assert 'data-testid="saved-view"' not in board(client)
    response = client.post(reverse("web:pipeline_view_remove"), {"name": "Mine"}, follow=True)
    assert SavedView.objects.filter(user=seller).count() == 1
    assert "Not removed: no saved view named &#x27;Mine&#x27;; saved views: none." in (
        response.content.decode()
    )
    client.post(reverse("web:pipeline_view_save"), {"name": "Read only", "due": "overdue"})
    assert list(SavedView.objects.filter(user=viewer).values_list("name", flat=True)) == [
        "Read only"
    ]
    client.post(reverse("web:pipeline_view_remove"), {"name": "Read only"})
    assert not SavedView.objects.filter(user=viewer).exists()


def test_a_view_needs_a_name_and_a_login(staff_client: Client, client: Client) -> None:
    response = staff_client.post(reverse("web:pipeline_view_save"), {"name": " "}, follow=True)
    assert "Not saved: name: give the view a name." in response.content.decode()
    assert not SavedView.objects.exists()
    staff_client.logout()
    anonymous = client.post(reverse("web:pipeline_view_save"), {"name": "x"})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert not SavedView.objects.exists()


def test_a_drop_of_a_card_the_board_showed_in_another_state_is_refused(
    staff_client: Client,
) -> None:
    ask = open_ask("accepted")
    response = staff_client.post(
        reverse("web:ask_move", args=[ask.pk]),
        {"to": "accepted", "from": "sent", "next": reverse("web:pipeline")},
        **HTMX,
    )
    html = response.content.decode()
    assert (
        f"Not moved: ask {ask.pk}: it moved from sent to accepted meanwhile; cannot move it to "
        "accepted; allowed from accepted: scheduled, completed, cancelled." in html
    )
    assert Ask.objects.get(pk=ask.pk).status == "accepted"
