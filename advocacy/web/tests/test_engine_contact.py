"""The "why" on a contact's page: next best asks with reasons, the contact's asks and decisions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.engine.evaluation import run_plays
from advocacy.engine.models import Decision, Play
from advocacy.engine.plays import load_playbook
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.pipeline.models import Ask, AskType
from advocacy.web.tests.conftest import HTMX
from advocacy.web.tests.engine_world import advocates

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    return advocates(timezone.now())


def url(contact: Any) -> str:
    return reverse("web:contact_next_ask", kwargs={"pk": contact.pk})


def test_contact_page_loads_the_next_best_ask_lazily_with_a_plain_link(
    staff_client: Client, world: dict[str, Any]
) -> None:
    html = staff_client.get(reverse("web:contact", kwargs={"pk": world["ann"].pk})).content.decode()
    target = url(world["ann"])
    assert f'hx-get="{target}" hx-trigger="load"' in html
    assert f'<a href="{target}" data-testid="next-ask-link">' in html


def test_next_best_ask_partial_ranks_ready_asks_first_with_reasons(
    staff_client: Client, world: dict[str, Any]
) -> None:
    response = staff_client.get(url(world["ann"]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'data-testid="next-ask"' in html
    ready = [option.code for option in response.context["ready"]]
    assert len(ready) == 9
    assert set(ready) == {
        "advisory_board",
        "anonymous_quote",
        "community",
        "reference_call",
        "referral",
        "review",
        "speaker",
        "testimonial_quote",
        "video_testimonial",
    }
    assert [option.code for option in response.context["not_ready"]] == [
        "case_study",
        "content_cocreation",
    ]
    assert html.index('data-code="case_study"') > html.index('data-code="review"')
    assert '<span class="stage stage--mature">Mature</span>' in html
    assert '<span class="rung rung--engaged">Engaged</span>' in html
    # Reasons say met or not met in words, not only with a colour or a mark.
    met = (
        '<span class="reason__mark" aria-hidden="true">✓</span>'
        '<span class="visually-hidden">Met: </span>latest NPS ≥ 9 (found: 10)'
    )
    unmet = (
        '<li class="reason reason--no" data-code="results_missing">'
        '<span class="reason__mark" aria-hidden="true">✗</span>'
        '<span class="visually-hidden">Not met: </span>'
        "a measurable result shared within 365 days (found: none)"
    )
    assert met in html
    assert unmet in html
    assert html.count('<span class="flag flag--ok">Ready</span>') == 9
    assert html.count('<span class="flag">Not ready</span>') == 2


def test_a_paused_contact_is_ready_for_nothing_and_says_why(
    staff_client: Client, world: dict[str, Any]
) -> None:
    response = staff_client.get(url(world["cat"]), **HTMX)
    html = response.content.decode()
    assert response.context["ready"] == []
    assert 'data-testid="nothing-ready"' in html
    assert '<details class="options-more" open>' in html
    assert "excluded: dissatisfied: paused until resolved" in html


def test_next_best_ask_without_htmx_is_a_page_of_its_own(
    staff_client: Client, world: dict[str, Any]
) -> None:
    html = staff_client.get(url(world["ann"])).content.decode()
    assert "<html" in html
    assert "Next best ask for Ann Archer" in html
    assert f'<a href="{reverse("web:contact", kwargs={"pk": world["ann"].pk})}">Ann Archer</a>' in (
        html
    )


def test_asks_and_decisions_of_the_contact_are_listed(
    staff_client: Client, world: dict[str, Any]
) -> None:
    now = timezone.now()
    load_playbook(now=now)
    play = Play.objects.get(name="nps-promoter-review")
    play.definition["holdout"] = 0  # no control group: Ann is asked
    play.save()
    (run,) = run_plays(now=now, names=[play.name], policy=DEFAULT_POLICY)
    assert run.considered == 1  # Ann's answer of 20 hours ago is within the 48-hour window
    response = staff_client.get(url(world["ann"]), **HTMX)
    html = response.content.decode()
    assert Decision.objects.get().contact_id == world["ann"].pk
    assert Ask.objects.get().contact_id == world["ann"].pk
    assert html.count('data-testid="decision-row"') == 1
    assert html.count('data-testid="ask-row"') == 1
    assert '<a href="/plays/nps-promoter-review/">NPS promoter → review request</a>' in html
    assert '<span class="status status--queued">Queued</span>' in html
    assert '<span class="outcome outcome--asked">Asked</span>' in html
    # The review is now open, so it is no longer ready, and the reason says so.
    assert "review" not in [option.code for option in response.context["ready"]]
    assert "an ask of this type is already open" in html


def test_the_lists_stop_at_twenty(staff_client: Client, world: dict[str, Any]) -> None:
    ann = world["ann"]
    review = AskType.objects.get(code="review")
    now = timezone.now()
    Ask.objects.bulk_create(
        [
            Ask(
                contact=ann,
                ask_type=review,
                moment=f"m{i}",
                opened_at=now - timedelta(days=i),
                status="declined",
            )
            for i in range(25)
        ]
    )
    response = staff_client.get(url(ann), **HTMX)
    asks = response.context["asks"]
    assert len(asks) == 20
    assert [ask.moment for ask in asks[:2]] == ["m0", "m1"]  # newest first
    html = response.content.decode()
    assert html.count('data-testid="ask-row"') == 20
    assert "(latest 20)" in html


def test_next_best_ask_of_an_unknown_contact_is_404(staff_client: Client) -> None:
    assert staff_client.get(reverse("web:contact_next_ask", kwargs={"pk": 999})).status_code == 404


def test_next_best_ask_needs_login(client: Client, world: dict[str, Any]) -> None:
    response = client.get(url(world["ann"]))
    assert response.status_code == 302


def test_next_best_ask_costs_a_bounded_number_of_queries(
    staff_client: Client, world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    # session + user + contact + profile + ask types + checks + caps + open asks + asks + decisions
    # + the reciprocity balance shown beside them
    with django_assert_max_num_queries(11):
        staff_client.get(url(world["ann"]), **HTMX)


def test_a_broken_policy_is_reported_not_a_crash(
    staff_client: Client, world: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    (tmp_path / "policy.yaml").write_text("nps_min: nine\n")
    settings.PLAYBOOK_DIR = str(tmp_path)
    response = staff_client.get(url(world["ann"]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        # The file, the line and the key's path.
        "is invalid: policy.yaml:1: nps_min: expected a whole number ≥ 0, found &#x27;nine&#x27;"
        in (html)
    )
