"""Jobs in the web UI: a <progress> bar that htmx polls until the job ends, then its result;
big imports, profile refreshes and the council PDF go through a job."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.core.models import Job, JobState
from advocacy.customers.models import Contact
from advocacy.engine.models import ContactProfile
from advocacy.signals.models import ImportRun, SignalKind
from advocacy.web.tests.conftest import HTMX, make_account, make_contact, make_signal

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
CONTACTS = "email,first_name,account_domain\n" + "".join(
    f"p{i}@acme.example,P{i},acme.example\n" for i in range(30)
)


@pytest.fixture(autouse=True)
def immediate(settings: Any, tmp_path: Any) -> None:
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_INLINE_MAX_BYTES = 100


def make_job(**fields: Any) -> Job:
    values = {"kind": "import", "title": "Import of contacts from big.csv", "queued_at": NOW}
    return Job.objects.create(**{**values, "updated_at": NOW, **fields})


def test_a_running_job_shows_a_progress_bar_that_htmx_polls(staff_client: Client) -> None:
    job = make_job(state=JobState.RUNNING, done=250_000, total=1_000_000, unit="bytes")
    url = reverse("web:job", kwargs={"pk": job.pk})
    html = staff_client.get(url).content.decode()
    assert "<html" in html
    assert (
        f'<div class="job" id="job-{job.pk}" data-testid="job" data-state="running" '
        f'hx-get="{url}" hx-trigger="every 1s" hx-swap="outerHTML">'
    ) in html
    assert (
        '<progress class="job__bar" max="1000000" value="250000" data-testid="job-progress"'
    ) in html
    assert "25%: 244.1\xa0KB of 976.6\xa0KB" in html
    partial = staff_client.get(url, **HTMX).content.decode()
    assert "<html" not in partial
    assert partial.strip().startswith(f'<div class="job" id="job-{job.pk}"')
    assert 'hx-trigger="every 1s"' in partial


def test_a_finished_job_stops_polling_and_shows_its_result(staff_client: Client) -> None:
    run = ImportRun.objects.create(kind="contacts", status="committed", filename="big.csv")
    result = {
        "import_run": run.pk, "kind": "contacts", "filename": "big.csv", "status": "committed",
        "rows_total": 200_000, "created": 199_990, "updated": 0, "unchanged": 0, "rejected": 10,
    }  # fmt: skip
    job = make_job(state=JobState.DONE, done=10, total=10, unit="bytes", result=result)
    url = reverse("web:job", kwargs={"pk": job.pk})
    partial = staff_client.get(url, **HTMX)
    html = partial.content.decode()
    assert "hx-trigger" not in html
    assert '<progress class="job__bar" max="1" value="1" data-testid="job-progress"' in html
    assert "big.csv: 200,000 rows: 199,990 created, 0 updated, 0 unchanged, 10 rejected." in html
    assert f'href="/imports/{run.pk}/"' in html
    assert f'href="/imports/{run.pk}/errors.csv"' in html
    assert "HX-Refresh" not in partial
    # Asked by another page that shows the bar: that page reloads to show the result itself.
    assert staff_client.get(url, {"then": "reload"}, **HTMX)["HX-Refresh"] == "true"


def test_a_queued_job_waits_for_a_worker_and_one_of_unknown_size_shows_a_bar_without_value(
    staff_client: Client,
) -> None:
    queued = make_job(total=5, unit="steps")
    html = staff_client.get(reverse("web:job", kwargs={"pk": queued.pk})).content.decode()
    assert "Waiting for a worker (<code>advocacy worker</code>) to take it." in html
    running = make_job(state=JobState.RUNNING, unit="contacts")
    html = staff_client.get(reverse("web:job", kwargs={"pk": running.pk})).content.decode()
    assert re.search(r'<progress class="job__bar" data-testid="job-progress" aria-label', html)
    assert "Under way; how far shows when it ends." in html


def test_a_failed_job_says_why(staff_client: Client) -> None:
    job = make_job(state=JobState.FAILED, message="the file is empty: expected a header row")
    html = staff_client.get(reverse("web:job", kwargs={"pk": job.pk}), **HTMX).content.decode()
    assert "hx-trigger" not in html
    assert (
        '<p class="message message--error" data-testid="job-message">the file is empty: '
        "expected a header row</p>"
    ) in html


def test_the_jobs_page_lists_them_newest_first(staff_client: Client) -> None:
    old = make_job(title="Old", queued_at=NOW - timedelta(hours=1), state=JobState.DONE)
    new = make_job(title="New", state=JobState.RUNNING, done=1, total=4, unit="steps")
    html = staff_client.get(reverse("web:jobs")).content.decode()
    assert re.findall(r'<a href="/jobs/(\d+)/">', html) == [str(new.pk), str(old.pk)]
    assert '<progress max="4" value="1">25%</progress> 25%' in html
    assert 'data-testid="nav-jobs"' in html


def test_job_pages_need_a_login(client: Client) -> None:
    job = make_job()
    for url in (reverse("web:jobs"), reverse("web:job", kwargs={"pk": job.pk})):
        assert client.get(url).status_code == 302


def upload(client: Client, text: str = CONTACTS) -> Any:
    data = {
        "kind": "contacts",
        "preset": "advocacy",
        "file": SimpleUploadedFile("big.csv", text.encode(), content_type="text/csv"),
    }
    return client.post(reverse("web:import_new"), data)


def test_a_big_upload_is_previewed_and_committed_by_jobs(staff_client: Client) -> None:
    make_account("Acme", domain="acme.example")
    response = upload(staff_client)
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("web:import_detail", kwargs={"pk": run.pk})
    assert (run.status, run.rows_total, run.created, run.job.kind) == (
        "previewed",
        30,
        30,
        "import",
    )
    committed = staff_client.post(reverse("web:import_commit", kwargs={"pk": run.pk}))
    assert committed.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.created, Contact.objects.count()) == ("committed", 30, 30)
    assert Job.objects.count() == 2


def test_an_import_under_way_shows_its_job_and_reloads_when_it_ends(
    staff_client: Client, settings: Any
) -> None:
    settings.TASKS = DATABASE  # nobody runs the job here: it stays queued
    make_account("Acme", domain="acme.example")
    upload(staff_client)
    run = ImportRun.objects.get()
    html = staff_client.get(reverse("web:import_detail", kwargs={"pk": run.pk})).content.decode()
    assert 'data-testid="import-status">Previewing</span>' in html
    assert 'data-testid="import-job"' in html
    assert f'hx-get="/jobs/{run.job_id}/?then=reload" hx-trigger="every 1s"' in html
    assert 'data-testid="import-resume"' not in html
    assert 'data-testid="import-commit"' not in html


def test_a_stopped_import_offers_to_resume_and_resumes(staff_client: Client) -> None:
    make_account("Acme", domain="acme.example")
    upload(staff_client)
    run = ImportRun.objects.get()
    # As a killed worker leaves it: committing, 12 rows done, its job marked failed.
    ImportRun.objects.filter(pk=run.pk).update(
        status="committing", rows_total=12, created=12, progressed_at=NOW
    )
    Job.objects.filter(pk=run.job_id).update(state=JobState.FAILED)
    html = staff_client.get(reverse("web:import_detail", kwargs={"pk": run.pk})).content.decode()
    assert "This import stopped while committing" in html
    assert "12 rows are done, as counted below." in html
    assert 'data-testid="import-resume"' in html
    staff_client.post(reverse("web:import_resume", kwargs={"pk": run.pk}))
    run.refresh_from_db()
    assert (run.status, run.rows_total, run.created) == ("committed", 30, 30)
    assert Contact.objects.count() == 18  # the 12 done before were not written again


def test_computing_profiles_goes_to_a_job_page_with_the_count(staff_client: Client) -> None:
    acme = make_account("Acme")
    ann = make_contact(acme, "Ann")
    make_contact(acme, "Bob")
    make_signal(SignalKind.NPS, timezone.now() - timedelta(days=1), contact=ann, value=10)
    response = staff_client.post(reverse("web:advocates_refresh"), follow=True)
    job = Job.objects.get()
    assert response.redirect_chain == [(reverse("web:job", kwargs={"pk": job.pk}), 302)]
    html = response.content.decode()
    assert "Profiles computed for 2 contact(s)." in html
    assert 'href="/advocates/"' in html
    assert ContactProfile.objects.count() == 2


def test_computing_profiles_with_no_contacts_says_so(staff_client: Client) -> None:
    response = staff_client.post(reverse("web:advocates_refresh"), follow=True)
    assert "There are no contacts to profile yet: import some first." in response.content.decode()


def test_the_council_pdf_is_built_by_a_job_then_downloaded(staff_client: Client) -> None:
    response = staff_client.post(reverse("web:metrics_council_pdf"), {"month": "2026-05"})
    job = Job.objects.get()
    assert response["Location"] == reverse("web:job", kwargs={"pk": job.pk})
    html = staff_client.get(response["Location"]).content.decode()
    assert "The council report for 2026-05 is ready" in html
    download = staff_client.get(reverse("web:job_artefact", kwargs={"pk": job.pk}))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content)[:5] == b"%PDF-"
    bad = staff_client.post(reverse("web:metrics_council_pdf"), {"month": "2026-13"}, follow=True)
    assert "no month 13: expected 01 to 12" in bad.content.decode()
    assert Job.objects.count() == 1
    assert staff_client.get(reverse("web:metrics_council_pdf")).status_code == 405
