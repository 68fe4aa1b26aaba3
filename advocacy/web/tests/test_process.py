"""Routing rules, checklists, an ask's checklist and escalation in the web UI."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.pipeline.escalation import escalate_overdue
from advocacy.pipeline.models import Ask, AskEvent, AskStatus, AskStep, RoutingRule
from advocacy.pipeline.tests.factories import make_ask
from advocacy.pipeline.tests.factories import make_contact as contact_at
from advocacy.web.tests.conftest import HTMX

pytestmark = pytest.mark.django_db


def test_add_edit_apply_and_remove_a_rule(admin_client: Client, owner: Any) -> None:
    ask = make_ask("case_study", contact=contact_at(industry="Healthcare"))
    page = admin_client.get(reverse("web:routing"))
    assert page.status_code == 200
    assert b"No rules: every ask follows the defaults." in page.content
    form = {"name": "health", "position": "10", "industry": "healthcare", "owner": owner.pk}
    added = admin_client.post(reverse("web:routing"), {**form, "enabled": "on"}, follow=True)
    assert "Rule “health” added." in added.content.decode()
    rule = RoutingRule.objects.get()
    assert (rule.industry, rule.owner_id, rule.enabled) == ("healthcare", owner.pk, True)
    edit = reverse("web:routing_edit", args=[rule.pk])
    assert admin_client.get(edit).status_code == 200
    admin_client.post(edit, {**form, "role": "marketing", "enabled": "on"})
    assert RoutingRule.objects.get().role == "marketing"
    applied = admin_client.post(reverse("web:routing_apply"), follow=True)
    assert "1 open ask(s) routed anew." in applied.content.decode()
    assert Ask.objects.get(pk=ask.pk).owner_id == owner.pk
    admin_client.post(reverse("web:routing_delete", args=[rule.pk]))
    assert RoutingRule.objects.count() == 0


def test_a_rule_without_a_target_is_a_form_error(admin_client: Client) -> None:
    response = admin_client.post(reverse("web:routing"), {"name": "x", "position": "1"})
    assert response.status_code == 422
    assert "a rule needs an owner (a user) or a role pool, or both" in response.content.decode()
    assert RoutingRule.objects.count() == 0


def test_edit_a_checklist_into_a_new_version(admin_client: Client, owner: Any) -> None:
    listing = admin_client.get(reverse("web:checklists")).content.decode()
    assert 'data-testid="checklist-reference_call"' in listing
    url = reverse("web:checklist", args=["review"])
    page = admin_client.get(url).content.decode()
    assert "Version 1 (current)" in page
    assert "- title: Review request sent with the direct link to the review site" in page
    bad = admin_client.post(url, {"steps": "- {title: a, status: declined}"})
    assert bad.status_code == 422
    assert "steps: step 1: status must be one of" in bad.content.decode()
    saved = admin_client.post(
        url, {"steps": "- {title: Ask at the QBR, role: cs}", "note": "QBR"}, follow=True
    )
    assert "Version 2 saved" in saved.content.decode()
    older = admin_client.get(url, {"version": "1"}).content.decode()
    assert "Version 1, saved" in older


def test_the_ask_page_shows_and_ticks_the_checklist(staff_client: Client, member: Any) -> None:
    ask = make_ask("review", status=AskStatus.SENT)
    page = staff_client.get(reverse("web:ask", args=[ask.pk])).content.decode()
    assert page.count('data-testid="tick-') == 4
    url = reverse("web:ask_step_done", args=[ask.pk, 1])
    partial = staff_client.post(url, {"note": "sent by email"}, **HTMX)
    html = partial.content.decode()
    assert "<html" not in html
    assert 'data-testid="step-done-1"' in html and "sent by email" in html
    moved = staff_client.post(reverse("web:ask_step_done", args=[ask.pk, 2]), **HTMX)
    assert (moved.status_code, moved["HX-Refresh"]) == (204, "true")
    assert Ask.objects.get(pk=ask.pk).status == "accepted"
    again = staff_client.post(url, follow=True).content.decode()
    assert f"Not done: ask {ask.pk}: step 1 is already done." in again
    step = AskStep.objects.get(ask=ask, position=1)
    assert (step.done_by_id, step.note) == (member.pk, "sent by email")


def test_escalate_from_the_board_and_see_it(staff_client: Client, owner: Any) -> None:
    ask = make_ask("review", status=AskStatus.SENT, due_at=timezone.now() - dt.timedelta(days=2))
    response = staff_client.post(reverse("web:escalate"), follow=True)
    html = response.content.decode()
    assert "1 ask(s) escalated (overdue by more than 24 h)." in html
    assert f'data-testid="card-{ask.pk}"' in html and "escalated to owner" in html
    page = staff_client.get(reverse("web:ask", args=[ask.pk])).content.decode()
    assert 'data-testid="escalated"' in page
    assert AskEvent.objects.filter(ask=ask, note__startswith="escalated to owner").count() == 1


def test_board_cards_carry_their_legal_drops(staff_client: Client) -> None:
    ask = make_ask("review", status=AskStatus.SENT)
    html = staff_client.get(reverse("web:pipeline")).content.decode()
    assert (
        f'data-ask="{ask.pk}" draggable="true" data-moves="accepted declined expired cancelled"'
        in html
    )
    assert 'data-drop-status="completed"' in html
    assert "web/board.js" in html


def test_escalated_cards_cost_no_query_each(
    staff_client: Client, owner: Any, django_assert_max_num_queries: Any
) -> None:
    late = timezone.now() - dt.timedelta(days=2)
    make_ask("review", status=AskStatus.SENT, due_at=late)
    escalate_overdue(now=timezone.now())
    with CaptureQueriesContext(connection) as one:
        staff_client.get(reverse("web:pipeline"))
    for _ in range(15):
        make_ask("review", status=AskStatus.SENT, due_at=late)
    escalate_overdue(now=timezone.now())
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = staff_client.get(reverse("web:pipeline")).content.decode()
    assert html.count("escalated to owner") == 16
