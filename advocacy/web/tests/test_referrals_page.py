"""The referrals pages: the list with its filter, a referral's history and moves (closed lost
confirmed first), recording one for an advocate; each right checked."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from advocacy.referrals.models import Referral, ReferralStatus
from advocacy.referrals.services import move
from advocacy.referrals.tests.world import NOW, advocate, refer
from advocacy.rewards.models import Entry

pytestmark = pytest.mark.django_db
S = ReferralStatus


def test_the_list_filters_by_status_in_a_page_and_a_partial(client: Client, seller: Any) -> None:
    first = refer(advocate(), 1)
    second = refer(advocate(), 2)
    move(second, S.MEETING_BOOKED, actor=None, now=NOW)
    client.force_login(seller)
    html = client.get(reverse("web:referrals")).content.decode()
    assert html.count('data-testid="referral-row"') == 2
    assert 'data-testid="nav-referrals"' in html
    booked = client.get(reverse("web:referrals"), {"status": "meeting_booked"}).content.decode()
    assert booked.count('data-testid="referral-row"') == 1
    assert first.prospect_name not in booked and second.prospect_name in booked
    partial = client.get(
        reverse("web:referrals"), {"status": "qualified"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in partial and 'data-testid="no-referrals"' in partial


def test_a_move_from_the_page_credits_the_bonus_and_shows_in_the_history(
    client: Client, seller: Any
) -> None:
    made = refer(advocate())
    client.force_login(seller)
    url = reverse("web:referral_move", args=[made.pk])
    response = client.post(url, {"to": "meeting_booked", "note": "Tuesday"}, follow=True)
    html = response.content.decode()
    assert "now meeting booked" in html
    assert "Submitted → Meeting booked, by seller: Tuesday" in html
    assert "Referral bonus: meeting booked" in html
    assert Entry.objects.get().amount_cents == 100_00


def test_closed_lost_asks_to_confirm_first(client: Client, member: Any) -> None:
    made = refer(advocate())
    client.force_login(member)
    url = reverse("web:referral_move", args=[made.pk])
    asked = client.post(url, {"to": "closed_lost"})
    assert 'data-testid="lost-confirm"' in asked.content.decode()
    assert Referral.objects.get().status == S.SUBMITTED
    client.post(url, {"to": "closed_lost", "confirm": "yes"})
    assert Referral.objects.get().status == S.CLOSED_LOST


def test_a_move_not_allowed_is_refused_with_its_reason(client: Client, member: Any) -> None:
    made = refer(advocate())
    client.force_login(member)
    url = reverse("web:referral_move", args=[made.pk])
    html = client.post(url, {"to": "closed_won"}, follow=True).content.decode()
    assert "Not moved: referral" in html and "cannot move to closed won" in html
    assert (Referral.objects.get().status, Entry.objects.count()) == (S.SUBMITTED, 0)


def test_recording_a_referral_for_an_advocate(client: Client, member: Any) -> None:
    ada = advocate()
    client.force_login(member)
    form = {"advocate": ada.email, "name": "Grace", "email": "grace@navy.example", "company": "N"}
    response = client.post(reverse("web:referral_new"), form, follow=True)
    assert "Referral of Grace recorded" in response.content.decode()
    again = client.post(reverse("web:referral_new"), form, follow=True).content.decode()
    assert "Not recorded: grace@navy.example has already been referred" in again
    assert Referral.objects.count() == 1


def test_rights_are_checked(client: Client, django_user_model: Any) -> None:
    made = refer(advocate())
    marketer = django_user_model.objects.create_user("mk", "mk@example.com", "x", role="marketing")
    client.force_login(marketer)
    detail = client.get(reverse("web:referral", args=[made.pk])).content.decode()
    assert 'data-testid="referral-move-form"' not in detail
    refused = client.post(reverse("web:referral_move", args=[made.pk]), {"to": "meeting_booked"})
    assert refused.status_code == 403
    assert Referral.objects.get().status == S.SUBMITTED


def test_the_referral_sourced_pipeline_lists_its_referrals(client: Client, seller: Any) -> None:
    made = refer(advocate())
    move(made, S.MEETING_BOOKED, actor=None, now=NOW)
    move(made, S.QUALIFIED, actor=None, now=NOW, deal_cents=75_000_00)
    client.force_login(seller)
    url = reverse("web:metric", args=["referral_pipeline"])
    html = client.get(url, {"period": "2026-Q2"}).content.decode()
    assert html.count('data-testid="row"') == 1
    assert made.prospect_name in html and "$75,000" in html


def test_an_advocates_link_is_looked_up_by_email(
    client: Client, seller: Any, settings: Any
) -> None:
    ada = advocate()
    client.force_login(seller)
    html = client.get(reverse("web:referrals"), {"advocate": ada.email.upper()}).content.decode()
    code = ada.referral_code.code
    assert f"code <strong>{code}</strong>, link <code>{settings.SITE_URL}/r/{code}/</code>" in html
    missing = client.get(reverse("web:referrals"), {"advocate": "no@one.example"}).content.decode()
    assert "No contact with email no@one.example." in missing
