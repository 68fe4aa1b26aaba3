"""The simulation of a play on its page: the form, its job, the chart week by week, its table."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from advocacy.core.models import Job
from advocacy.engine.evaluation import in_holdout
from advocacy.engine.models import Decision, Play, TapClaim
from advocacy.engine.plays import load_playbook
from advocacy.pipeline.models import Ask
from advocacy.signals.models import SignalKind
from advocacy.web.engine_forms import SimulationForm
from advocacy.web.tests.conftest import HTMX, make_contact, make_signal
from advocacy.web.tests.engine_world import program_account

pytestmark = pytest.mark.django_db

PLAY = "nps-promoter-review"
START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
PERIOD = {"start": "2026-03-02", "end": "2026-03-22"}  # three whole weeks


@pytest.fixture
def history() -> dict[str, Any]:
    """Twenty active promoters answering over two weeks (contact i on day i % 14, at 10:00).

    The clock ticks at midnight, so an answer is seen the next day: week 1 sees days 0-5
    (12 answers), week 2 days 6-12 (7), week 3 day 13 (1).
    """
    load_playbook(now=START)
    account = program_account("Acme", START, domain="acme.example")
    contacts = [make_contact(account, f"P{i:02d}") for i in range(20)]
    for i, contact in enumerate(contacts):
        day = START + timedelta(days=i % 14, hours=10)
        make_signal(SignalKind.NPS, day, contact=contact, value=10)
        make_signal(SignalKind.ACTIVITY, day - timedelta(days=1), contact=contact)
    weeks: list[list[Any]] = [[], [], []]
    for i, contact in enumerate(contacts):
        weeks[0 if i % 14 <= 5 else 1 if i % 14 <= 12 else 2].append(contact)
    return {"weeks": weeks}


def simulate_url() -> str:
    return reverse("web:play_simulate", kwargs={"name": PLAY})


def simulate(client: Client, query: dict[str, str]) -> Any:
    """Ask for a simulation: it starts a job and lands on the address of its result."""
    response = client.get(simulate_url(), query, follow=True)
    job = Job.objects.filter(kind="simulation").latest("pk")
    address = f"{simulate_url()}?{urlencode({**query, 'job': job.pk})}"
    assert response.redirect_chain == [(address, 302)]
    return response


def test_the_chart_has_one_bar_group_per_week_with_the_expected_numbers(
    staff_client: Client, history: dict[str, Any]
) -> None:
    response = simulate(staff_client, PERIOD)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    expected = []
    for contacts in history["weeks"]:
        held = sum(in_holdout(PLAY, c.pk, 0.1) for c in contacts)
        expected.append((len(contacts), len(contacts) - held, held))
    assert [total for total, _, _ in expected] == [12, 7, 1]
    groups = re.findall(r'<g class="chart__bar" data-testid="chart-week" data-total="(\d+)">', html)
    assert groups == ["12", "7", "1"]
    for (_total, asked, held), group in zip(
        expected, html.split('data-testid="chart-week"')[1:], strict=True
    ):
        segment = group.split("</g>")[0]
        values = dict(re.findall(r'data-key="(\w+)" data-value="(\d+)"', segment))
        assert values == {key: str(n) for key, n in (("asked", asked), ("held_out", held)) if n}
    assert html.count('data-testid="simulation-week"') == 3
    assert ">Week of 2 Mar 2026: " in html
    assert (
        '<svg class="chart__svg" viewBox="0 0 720 260" role="img" aria-labelledby="chart-title"'
        in html
    )
    result = response.context["result"]
    assert [w.starts.date().isoformat() for w in result.weeks] == [
        "2026-03-02",
        "2026-03-09",
        "2026-03-16",
    ]
    # Nothing real was written.
    assert (Ask.objects.count(), Decision.objects.count(), TapClaim.objects.count()) == (0, 0, 0)


def test_the_table_behind_the_chart_and_the_legend(
    staff_client: Client, history: dict[str, Any]
) -> None:
    response = simulate(staff_client, PERIOD)
    html = response.content.decode()
    totals = dict((key, count) for key, _, count in response.context["totals"])
    assert totals["asked"] + totals["held_out"] == 20
    assert sum(totals.values()) == 20
    rows = re.findall(r'data-testid="simulation-week"><th scope="row">([^<]+)</th>', html)
    assert rows == ["2 Mar 2026", "9 Mar 2026", "16 Mar 2026"]
    legend = html.split('data-testid="chart-legend"')[1].split("</ul>")[0]
    assert legend.count("<li>") == 8  # every outcome, held for approval too
    assert "Blocked by cap" in legend
    assert "Nothing was written: the replay was rolled back." in html


def test_simulation_over_htmx_swaps_the_form_and_the_chart(
    staff_client: Client, history: dict[str, Any]
) -> None:
    response = staff_client.get(simulate_url(), PERIOD, **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-testid="simulation-form"' in html
    assert html.count('data-testid="chart-week"') == 3
    assert 'value="2026-03-02"' in html
    job = Job.objects.get(kind="simulation")
    assert response["HX-Push-Url"] == f"{simulate_url()}?{urlencode({**PERIOD, 'job': job.pk})}"


def test_a_simulation_under_way_shows_its_progress_until_it_is_done(
    staff_client: Client, history: dict[str, Any], settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    html = staff_client.get(simulate_url(), PERIOD, follow=True).content.decode()
    job = Job.objects.get(kind="simulation")
    assert (job.state, job.total, job.unit) == ("queued", 21, "days")
    assert f'hx-get="/jobs/{job.pk}/?then=reload" hx-trigger="every 1s"' in html
    assert "Waiting for a worker" in html
    assert 'data-testid="chart"' not in html
    Job.objects.filter(pk=job.pk).update(state="running", done=7)
    html = staff_client.get(simulate_url(), {**PERIOD, "job": job.pk}).content.decode()
    assert '<progress class="job__bar" max="21" value="7"' in html
    assert "33%: 7 of 21 days" in html
    from advocacy.core.tasks import run_job

    run_job.call(job.pk)
    html = staff_client.get(simulate_url(), {**PERIOD, "job": job.pk}).content.decode()
    assert "hx-trigger" not in html
    assert html.count('data-testid="chart-week"') == 3


def test_another_job_is_not_this_plays_simulation(
    staff_client: Client, history: dict[str, Any]
) -> None:
    assert staff_client.get(simulate_url(), {**PERIOD, "job": "999"}).status_code == 404
    assert staff_client.get(simulate_url(), {**PERIOD, "job": "x"}).status_code == 404


def test_the_play_page_offers_the_last_twelve_weeks(
    staff_client: Client, history: dict[str, Any]
) -> None:
    response = staff_client.get(reverse("web:play", kwargs={"name": PLAY}))
    form = response.context["sim_form"]
    start, end = form.initial["start"], form.initial["end"]
    assert (end - start).days == 84
    html = response.content.decode()
    assert f'hx-get="{simulate_url()}" hx-target="#simulation" hx-push-url="true"' in html
    assert 'data-testid="chart"' not in html  # the play page never replays by itself


@pytest.mark.parametrize(
    ("query", "error"),
    [
        (
            {"start": "2026-03-22", "end": "2026-03-02"},
            "The end (2026-03-02) must come after the start (2026-03-22).",
        ),
        (
            {"start": "2026-03-02", "end": "2026-03-02"},
            "The end (2026-03-02) must come after the start (2026-03-02).",
        ),
        (
            {"start": "2025-01-01", "end": "2026-03-02"},
            "At most 52 weeks can be simulated at once; this period spans 61.",
        ),
        ({"start": "2026-03-02", "end": "next week"}, "Enter a valid date."),
        ({"start": "2026-03-02"}, "This field is required."),
    ],
)
def test_bad_periods_are_refused_beside_the_field(
    staff_client: Client, history: dict[str, Any], query: dict[str, str], error: str
) -> None:
    response = staff_client.get(simulate_url(), query, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps it in: the error shows beside the field
    assert response.context["result"] is None
    assert f'data-testid="simulation-error">{error}</p>' in html
    assert 'data-testid="chart"' not in html


def test_a_year_is_the_longest_period() -> None:
    year = SimulationForm({"start": "2025-03-03", "end": "2026-03-02"})
    assert year.is_valid()
    assert year.period() == (
        datetime(2025, 3, 3, tzinfo=UTC),
        datetime(2026, 3, 2, 23, 59, 59, tzinfo=UTC),  # the last day counts whole
    )
    longer = SimulationForm({"start": "2025-03-03", "end": "2026-03-03"})
    assert not longer.is_valid()
    assert longer.errors["end"] == [
        "At most 52 weeks can be simulated at once; this period spans 53."
    ]


def test_a_disabled_play_has_nothing_to_replay(
    staff_client: Client, history: dict[str, Any]
) -> None:
    Play.objects.filter(name=PLAY).update(enabled=False)
    response = staff_client.get(simulate_url(), PERIOD)
    assert response.context["result"] is None
    assert "This play is disabled" in response.content.decode()


def test_an_empty_period_says_nothing_would_have_been_decided(
    staff_client: Client, history: dict[str, Any]
) -> None:
    html = simulate(staff_client, {"start": "2026-01-05", "end": "2026-01-18"}).content.decode()
    assert html.count('data-total="0"') == 2
    assert "Nothing would have been decided in this period" in html
    assert "would have made <strong>no decision</strong>" in html
