"""The pipeline board, the ask page and moving asks from the web."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.engine.asks import AskRequest, open_asks
from advocacy.engine.plays import load_playbook
from advocacy.pipeline.models import TRANSITIONS, Ask, AskEvent, AskStatus, AskType
from advocacy.web.tests.conftest import HTMX, make_account, make_contact
from advocacy.web.tests.engine_world import program_account, promoters

pytestmark = pytest.mark.django_db


def open_ask(
    status: str, code: str = "review", play: str = "", contact: Any = None, **fields: Any
) -> Ask:
    """An ask as the pipeline holds it, of a new contact unless one is given."""
    contact = contact or make_contact(make_account())
    request = AskRequest(
        contact.pk, AskType.objects.get(code=code), "signal:1", play=play, status=status, **fields
    )
    return open_asks([request], now=timezone.now()).opened[0]


def count(html: str, key: str) -> int:
    found = re.search(rf'data-testid="count-{key}">(\d+)<', html)
    assert found, key
    return int(found.group(1))


def test_the_board_counts_each_column(staff_client: Client, member: Any) -> None:
    for status, n in [("proposed", 2), ("queued", 1), ("sent", 3), ("scheduled", 1)]:
        for _ in range(n):
            open_ask(status, owner_role="cs")
    open_ask("declined", owner_role="marketing")
    old = open_ask("cancelled")
    Ask.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=40))
    html = staff_client.get(reverse("web:pipeline")).content.decode()
    counts = {k: count(html, k) for k in [*TRANSITIONS, "closed"] if f"count-{k}" in html}
    assert counts == {
        "proposed": 2,
        "queued": 1,
        "sent": 3,
        "accepted": 0,
        "scheduled": 1,
        "closed": 1,
    }
    assert html.count('data-testid="move-form"') == 7  # the declined card has no move
    filtered = staff_client.get(reverse("web:pipeline"), {"role": "marketing"}).content.decode()
    assert (count(filtered, "sent"), count(filtered, "closed")) == (0, 1)


def test_htmx_gets_the_board_partial(staff_client: Client) -> None:
    open_ask("sent")
    full = staff_client.get(reverse("web:pipeline")).content.decode()
    part = staff_client.get(reverse("web:pipeline"), **HTMX).content.decode()
    assert "<html" in full and 'data-testid="board-filters"' in full
    assert "<html" not in part and 'data-testid="board-filters"' not in part
    assert count(part, "sent") == 1


def test_overdue_cards_are_marked(staff_client: Client) -> None:
    open_ask("sent", due_at=timezone.now() - dt.timedelta(days=1))
    open_ask("sent", due_at=timezone.now() + dt.timedelta(days=1))
    html = staff_client.get(reverse("web:pipeline")).content.decode()
    assert html.count("askcard--overdue") == 1
    assert html.count('data-testid="overdue"') == 1


def test_cards_offer_exactly_the_allowed_moves(staff_client: Client) -> None:
    ask = open_ask("sent")
    html = staff_client.get(reverse("web:pipeline")).content.decode()
    card = html.split(f'data-testid="card-{ask.pk}"')[1].split("</li>")[0]
    assert re.findall(r'name="to" value="(\w+)"', card) == [
        "accepted",
        "declined",
        "expired",
        "cancelled",
    ]
    assert 'name="csrfmiddlewaretoken"' in card


@pytest.mark.parametrize("target", AskStatus.values)
def test_the_move_view_follows_the_table(staff_client: Client, member: Any, target: str) -> None:
    ask = open_ask("accepted")
    response = staff_client.post(reverse("web:ask_move", args=[ask.pk]), {"to": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:pipeline")
    expected = target if target in TRANSITIONS["accepted"] else "accepted"
    assert Ask.objects.get(pk=ask.pk).status == expected
    page = staff_client.get(response["Location"]).content.decode()
    assert ("Not moved:" in page) == (expected == "accepted")


def test_an_htmx_move_returns_the_board_with_its_filters(staff_client: Client, member: Any) -> None:
    ask = open_ask("sent", owner_role="cs")
    open_ask("sent", owner_role="marketing")
    board = reverse("web:pipeline") + "?role=cs"
    response = staff_client.post(
        reverse("web:ask_move", args=[ask.pk]), {"to": "accepted", "next": board}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert (count(html, "sent"), count(html, "accepted")) == (0, 1)
    assert f"Ask {ask.pk} moved to accepted." in html
    event = AskEvent.objects.get(ask=ask, to_status="accepted")
    assert event.actor == member
    refused = staff_client.post(
        reverse("web:ask_move", args=[ask.pk]), {"to": "sent", "next": board}, **HTMX
    ).content.decode()
    assert 'role="alert"' in refused and "cannot move from accepted to sent" in refused


def test_declining_from_the_board_offers_the_fallback(staff_client: Client) -> None:
    now = timezone.now()
    load_playbook(now=now)
    # The fallback referral is asked only of someone the program's gate lets through.
    (ada,) = promoters(program_account("Acme", now), 1, now - dt.timedelta(hours=1))
    ask = open_ask("sent", code="case_study", play="expansion-case-study", contact=ada)
    response = staff_client.post(reverse("web:ask_move", args=[ask.pk]), {"to": "declined"})
    fallback = Ask.objects.get(moment=f"fallback:{ask.pk}")
    assert (fallback.ask_type.code, fallback.status) == ("referral", "proposed")
    page = staff_client.get(response["Location"]).content.decode()
    assert f"Fallback referral offered as ask {fallback.pk}." in page


def test_moves_need_a_post_and_a_login(client: Client, staff_client: Client) -> None:
    ask = open_ask("sent")
    url = reverse("web:ask_move", args=[ask.pk])
    assert staff_client.get(url).status_code == 405
    staff_client.logout()
    assert client.post(url, {"to": "accepted"}).status_code == 302
    assert Ask.objects.get(pk=ask.pk).status == "sent"


def test_a_foreign_next_is_ignored(staff_client: Client) -> None:
    ask = open_ask("sent")
    response = staff_client.post(
        reverse("web:ask_move", args=[ask.pk]), {"to": "accepted", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("web:pipeline")


def test_the_ask_page_shows_its_timeline(staff_client: Client, member: Any) -> None:
    ask = open_ask("sent")
    url = reverse("web:ask", args=[ask.pk])
    staff_client.post(reverse("web:ask_move", args=[ask.pk]), {"to": "accepted", "next": url})
    html = staff_client.get(url).content.decode()
    events = re.findall(r'<li data-testid="event">(.*?)</li>', html, re.S)
    assert len(events) == 2
    assert "opened as sent" in events[0]
    assert "Sent → Accepted by member" in events[1]  # the states as labels, not codes
    assert re.findall(r'name="to" value="(\w+)"', html) == ["scheduled", "completed", "cancelled"]
    assert staff_client.get(reverse("web:ask", args=[999_999])).status_code == 404


def test_cards_and_the_ask_page_show_send_by_apart_from_answer_due(staff_client: Client) -> None:
    """GIVEN an unsent ask past its send-by and one with time left WHEN the board and the ask
    page are shown THEN each shows when to send and when the answer is due, the late one
    marked."""
    now = timezone.now()
    late = open_ask(
        "proposed", send_by=now - dt.timedelta(hours=2), due_at=now + dt.timedelta(days=14)
    )
    open_ask("queued", send_by=now + dt.timedelta(hours=20))
    html = staff_client.get(reverse("web:pipeline")).content.decode()
    assert (html.count('data-testid="send-by"'), html.count('data-testid="answer-due"')) == (2, 1)
    assert html.count('data-testid="missed-window"') == 1
    page = staff_client.get(reverse("web:ask", args=[late.pk])).content.decode()
    local = timezone.localtime
    send_by = re.search(r'data-testid="send-by">(.*?)</dd>', page, re.S)
    answer = re.search(r'data-testid="answer-due">(.*?)</dd>', page, re.S)
    assert (send_by and send_by.group(1), answer and answer.group(1)) == (
        local(now - dt.timedelta(hours=2)).strftime("%-d %b %Y, %H:%M"),
        local(now + dt.timedelta(days=14)).strftime("%-d %b %Y, %H:%M"),
    )
    assert page.count('data-testid="missed-window"') == 1
