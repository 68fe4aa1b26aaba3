"""The metrics pages: dashboard with filters and charts, drill-down, CSV, scorecard, council."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from django.test import Client

from advocacy.core.models import Job
from advocacy.metrics.models import ScorecardEntry
from advocacy.metrics.tests.world import NOW, World, build, set_example_targets


@pytest.fixture
def world(db: None) -> World:
    return build()


@pytest.fixture(autouse=True)
def _at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_dashboard_shows_every_metric_and_chart(admin_client: Client, world: World):
    set_example_targets()
    response = admin_client.get("/metrics/", {"period": "2026-Q2"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="stat__value stat__value--sm" data-testid="value-reviews">3</span>' in html
    assert 'data-testid="value-advocate_coverage">50.0%</span>' in html
    assert 'data-testid="value-influenced_pipeline">$0</span>' in html
    assert 'data-testid="no-requests"' in html  # the world files no reference request
    for testid in (
        "chart-trend",
        "chart-asks",
        "chart-funnel",
        "chart-ladder",
        "chart-fill-rate",
        "scorecard",
        "conversion-moment",
        "conversion-persona",
        "tactics",
        "lift",
    ):
        assert f'data-testid="{testid}"' in html
    assert 'href="/metrics/reviews/?period=2026-Q2"' in html  # the drill-down keeps the filters
    assert 'data-testid="status-reviews">Below baseline</span>' in html


def test_htmx_gets_the_results_partial(staff_client: Client, world: World):
    response = staff_client.get("/metrics/", {"period": "2026-Q2"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'data-testid="metric-period"' in html
    assert "<html" not in html
    assert 'data-testid="metric-filters"' not in html


def test_a_segment_filter(staff_client: Client, world: World):
    html = staff_client.get(
        "/metrics/", {"period": "2026-Q2", "persona": "champion"}
    ).content.decode()
    assert 'data-testid="value-reviews">1</span>' in html
    assert "segment: persona=champion" in html


def test_a_bad_period_is_a_form_error_and_the_default_is_shown(staff_client: Client, world: World):
    html = staff_client.get("/metrics/", {"period": "soon"}).content.decode()
    assert "unknown period &#x27;soon&#x27;" in html
    assert "last 90 days" in html


def test_drill_down_lists_the_rows_behind_a_number(staff_client: Client, world: World):
    html = staff_client.get("/metrics/new_advocates/", {"period": "2026-Q2"}).content.decode()
    assert html.count('data-testid="row"') == 1
    assert "alice@acme.test" in html
    html = staff_client.get(
        "/metrics/case_study_conversion/", {"period": "2026-Q2"}
    ).content.decode()
    assert html.count('data-testid="row"') == 2
    assert "(the rate's denominator)" in html
    html = staff_client.get("/metrics/influenced_revenue/").content.decode()
    assert 'data-testid="metric-rows"' in html
    assert staff_client.get("/metrics/bogus/").status_code == 404


@pytest.mark.parametrize(
    "code", ["advocates", "reviews", "asks_opened", "time_to_publish", "play_lift"]
)
def test_every_subject_of_drill_down_renders(staff_client: Client, world: World, code: str):
    response = staff_client.get(f"/metrics/{code}/", {"period": "2026-Q2"})
    assert response.status_code == 200
    assert 'data-testid="metric-rows"' in response.content.decode()


def test_csv_export_of_a_dashboard_table(staff_client: Client, world: World):
    response = staff_client.get("/metrics/export/funnel_persona.csv", {"period": "2026-Q2"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="funnel_persona-2026-Q2.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "persona",
        "opened",
        "sent",
        "accepted",
        "completed",
        "published",
        "declined",
        "accept_rate",
        "publish_rate",
    ]
    assert rows[2] == ["champion", "1", "1", "1", "1", "1", "0", "100.0", "100.0"]
    assert staff_client.get("/metrics/export/nope.csv").status_code == 404


def test_scorecard_page_sets_and_removes(admin_client: Client, world: World, owner):
    page = admin_client.get("/metrics/scorecard/").content.decode()
    assert 'data-testid="entry-reviews"' in page
    response = admin_client.post(
        "/metrics/scorecard/",
        {
            "metric": "nps",
            "baseline": "20",
            "target": "40",
            "window": "month",
            "cadence": "monthly",
        },
    )
    assert response.status_code == 302
    entry = ScorecardEntry.objects.get(metric="nps")
    assert (entry.baseline, entry.target, entry.updated_by) == (20, 40, owner)
    response = admin_client.post(
        "/metrics/scorecard/",
        {"metric": "nps", "baseline": "5", "target": "5", "window": "month", "cadence": "monthly"},
    )
    assert response.status_code == 422
    assert "the target must differ from the baseline" in response.content.decode()
    assert admin_client.post("/metrics/scorecard/nps/remove/").status_code == 302
    assert not ScorecardEntry.objects.filter(metric="nps").exists()


def test_council_report_html_and_pdf(staff_client: Client, world: World):
    html = staff_client.get("/metrics/council/", {"month": "2026-05"}).content.decode()
    assert "Advocacy council report" in html
    assert "Conversion by moment" in html
    started = staff_client.post("/metrics/council/pdf/", {"month": "2026-05"}, follow=True)
    assert "The council report for 2026-05 is ready" in started.content.decode()
    job = Job.objects.get(kind="council_pdf")
    pdf = staff_client.get(f"/jobs/{job.pk}/artefact/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content)[:5] == b"%PDF-"
    bad = staff_client.get("/metrics/council/", {"month": "May"})
    assert (bad.status_code, bad.content) == (400, b"unknown month 'May': expected YYYY-MM")


def test_pages_need_a_login(client: Client, db):
    assert client.get("/metrics/").status_code == 302


def test_the_dashboard_costs_a_bounded_number_of_queries(
    staff_client, world, django_assert_max_num_queries
):
    # 42: the catalogue's aggregates (the referral-sourced pipeline and revenue are one more,
    # the attribution on the synced deals one more), the charts, the scorecard and the page's own.
    with django_assert_max_num_queries(42):
        staff_client.get("/metrics/", {"period": "2026-Q2"})


def test_a_fresh_program_shows_no_target(admin_client: Client, world: World):
    html = admin_client.get("/metrics/", {"period": "2026-Q2"}).content.decode()
    assert 'data-testid="baseline-reviews">no baseline</td>' in html
    assert 'data-testid="target-reviews">no target</td>' in html
    assert 'data-testid="progress-reviews">no target</span>' in html
    assert 'data-testid="status-reviews">No target set</span>' in html
    assert 'data-testid="status-influenced_expansion">No target set</span>' in html
    assert "Below baseline" not in html and 'data-testid="behind-count"' not in html
    page = admin_client.get("/metrics/scorecard/").content.decode()
    assert '<td class="num muted">no baseline</td><td class="num muted">no target</td>' in page
    council = admin_client.get("/metrics/council/", {"month": "2026-05"}).content.decode()
    assert '<td class="num">no baseline</td><td class="num">no target</td>' in council


def test_a_target_without_a_baseline_says_no_baseline(admin_client: Client, world: World):
    response = admin_client.post(
        "/metrics/scorecard/",
        {"metric": "reviews", "baseline": "", "target": "4", "window": "quarter",
         "cadence": "monthly"},
    )  # fmt: skip
    assert response.status_code == 302
    html = admin_client.get("/metrics/", {"period": "2026-Q2"}).content.decode()
    assert 'data-testid="target-reviews">4</td>' in html
    assert 'data-testid="progress-reviews">no baseline</span>' in html
    assert 'data-testid="status-reviews">Behind target</span>' in html
