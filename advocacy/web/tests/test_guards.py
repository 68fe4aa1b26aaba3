"""Pausing, replacements, agreements and opt-out in the web UI: real forms, server-validated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from advocacy.customers.models import Contact
from advocacy.engine.guards import run_guards
from advocacy.engine.plays import load_playbook
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.engine.tests.guard_world import NOW, account, ask, person, promoter, signal
from advocacy.pipeline.agreements import Agreement
from advocacy.pipeline.models import Ask

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    load_playbook(now=NOW)
    with time_machine.travel(NOW, tick=False):
        yield


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_pause_from_the_ask_page_then_resume(staff_client: Client, member: Any) -> None:
    study = ask(person(account(owner=member), "ada"))
    page = staff_client.get(reverse("web:ask", args=[study.pk])).content.decode()
    assert 'data-testid="pause-form"' in page
    response = staff_client.post(
        reverse("web:ask_pause", args=[study.pk]), {"reason": "legal review"}, follow=True
    )
    assert messages_of(response) == [f"Ask {study.pk} paused: legal review."]
    html = response.content.decode()
    assert '<span data-testid="paused-reason">legal review</span>' in html
    assert 'data-testid="resume-form"' in html
    moved = staff_client.post(
        reverse("web:ask_move", args=[study.pk]),
        {"to": "accepted", "next": reverse("web:ask", args=[study.pk])},
        follow=True,
    )
    assert messages_of(moved)[0].startswith(f"Not moved: ask {study.pk} is paused (legal review)")
    assert Ask.objects.get(pk=study.pk).status == "sent"
    empty = staff_client.post(
        reverse("web:ask_pause", args=[study.pk]), {"reason": "x"}, follow=True
    )
    assert messages_of(empty) == [f"Not paused: ask {study.pk} is already paused (legal review)."]
    resumed = staff_client.post(reverse("web:ask_resume", args=[study.pk]), {}, follow=True)
    assert messages_of(resumed) == [f"Ask {study.pk} resumed."]
    assert Ask.objects.get(pk=study.pk).paused_at is None


def test_the_board_marks_paused_asks_and_filters_them(staff_client: Client, member: Any) -> None:
    acme = account(owner=member)
    paused, running = ask(person(acme, "ada")), ask(person(acme, "bob"))
    staff_client.post(reverse("web:ask_pause", args=[paused.pk]), {"reason": "on leave"})
    board = staff_client.get(reverse("web:pipeline")).content.decode()
    assert board.count('data-testid="paused"') == 1
    assert '<span data-testid="paused-reason">on leave</span>' in board
    only = staff_client.get(reverse("web:pipeline"), {"paused": "yes"}).content.decode()
    assert (
        f'data-testid="card-{paused.pk}"' in only,
        f'data-testid="card-{running.pk}"' in only,
    ) == (
        True,
        False,
    )
    not_paused = staff_client.get(reverse("web:pipeline"), {"paused": "no"}).content.decode()
    assert (
        f'data-testid="card-{paused.pk}"' in not_paused,
        f'data-testid="card-{running.pk}"' in not_paused,
    ) == (False, True)


def test_a_leaver_s_ask_shows_replacements_and_reassigns_in_one_click(
    staff_client: Client, member: Any
) -> None:
    acme = account(owner=member)
    ada, bob = person(acme, "ada"), person(acme, "bob")
    promoter(bob)
    signal(acme, "health_score", value=90, at=NOW - dt.timedelta(days=3))
    study = ask(ada)
    Contact.objects.filter(pk=ada.pk).update(left_company_at=NOW - dt.timedelta(hours=2))
    run_guards(now=NOW, policy=DEFAULT_POLICY)
    page = staff_client.get(reverse("web:ask", args=[study.pk])).content.decode()
    assert page.count('data-testid="replacement"') == 1
    assert f'data-testid="reassign-{bob.pk}"' in page
    response = staff_client.post(
        reverse("web:ask_reassign", args=[study.pk]), {"contact": bob.pk}, follow=True
    )
    new = Ask.objects.get(contact=bob)
    assert response.redirect_chain[-1][0] == reverse("web:ask", args=[new.pk])
    assert messages_of(response) == [
        f"Ask {study.pk} cancelled; ask {new.pk} opened for Bob for review."
    ]
    assert Ask.objects.get(pk=study.pk).status == "cancelled"
    again = staff_client.post(
        reverse("web:ask_reassign", args=[study.pk]), {"contact": bob.pk}, follow=True
    )
    assert messages_of(again)[0].startswith(f"Not reassigned: ask {study.pk}: cannot move")
    junk = staff_client.post(
        reverse("web:ask_reassign", args=[new.pk]), {"contact": "x'"}, follow=True
    )
    assert messages_of(junk) == ["Not reassigned: choose a colleague from the suggestions."]


def test_record_sign_and_end_an_agreement(staff_client: Client, member: Any) -> None:
    ada = person(account(owner=member), "ada")
    url = reverse("web:contact_agreement", args=[ada.pk])
    contact_page = staff_client.get(reverse("web:contact", args=[ada.pk])).content.decode()
    assert 'data-testid="no-agreement"' in contact_page
    assert staff_client.get(url).status_code == 200
    bad = staff_client.post(
        url, {"scope": ["case_study"], "starts_on": "2026-06-01", "ends_on": "2026-01-01"}
    )
    assert bad.status_code == 422
    assert "the term ends (2026-01-01) before it starts (2026-06-01)" in bad.content.decode()
    ok = staff_client.post(
        url,
        {"scope": ["case_study", "review"], "starts_on": "2026-06-01", "benefits": "Swag"},
        follow=True,
    )
    assert messages_of(ok) == ["Agreement saved."]
    html = ok.content.decode()
    assert '<span class="status status--draft" data-testid="agreement-status">Draft</span>' in html
    assert '<dd data-testid="agreement-scope">case_study, review</dd>' in html
    staff_client.post(
        url, {"scope": ["case_study"], "starts_on": "2026-06-01", "signed_on": "2026-06-01"}
    )
    agreement = Agreement.objects.get()
    assert (agreement.status, agreement.scope, agreement.benefits) == ("active", ["case_study"], "")
    staff_client.post(reverse("web:agreement_end", args=[agreement.pk]), {"reason": "over"})
    agreement.refresh_from_db()
    assert (agreement.status, agreement.end_reason) == ("ended", "over")


def test_the_opt_out_button_cancels_every_open_ask(staff_client: Client, member: Any) -> None:
    ada = person(account(owner=member), "ada")
    study, quote = ask(ada), ask(ada, "testimonial_quote", status="accepted")
    response = staff_client.post(
        reverse("web:contact_opt_out", args=[ada.pk]), {"reason": "too busy"}, follow=True
    )
    assert messages_of(response) == [
        "Ada opted out: 2 open ask(s) cancelled, 0 agreement(s) ended."
    ]
    assert 'data-testid="opted-out"' in response.content.decode()
    assert set(
        Ask.objects.filter(pk__in=[study.pk, quote.pk]).values_list("status", flat=True)
    ) == {"cancelled"}
    assert staff_client.get(reverse("web:contact_opt_out", args=[ada.pk])).status_code == 405


def test_the_opt_out_button_asks_before_it_cancels(staff_client: Client, member: Any) -> None:
    ada = person(account(owner=member), "ada")
    html = staff_client.get(reverse("web:contact", args=[ada.pk])).content.decode()
    assert (
        f'data-testid="opt-out-form" data-confirm="Opt {ada} out? Every open ask is cancelled '
        'and the program asks them nothing more.">'
    ) in html
