"""/api/jobs: long work answers 202 with its job; the job ends with its result; a key's starts
are throttled (429 with Retry-After)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from advocacy.api.tests.conftest import customer
from advocacy.core.models import Job
from advocacy.core.rates import parse_rate
from advocacy.customers.models import Account
from advocacy.engine.models import Outcome
from advocacy.signals.models import ImportRun

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
PROMOTER = "nps-promoter-review"
ZERO = dict.fromkeys(Outcome.values, 0)
ACCOUNTS = "name,domain\n" + "".join(f"Company {i},c{i}.example\n" for i in range(40))


@pytest.fixture(autouse=True)
def immediate(settings: Any, tmp_path: Any) -> None:
    """Jobs run at once (the task backend of these tests); files under a temporary folder."""
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_INLINE_MAX_BYTES = 100


def upload(client: Any, content: str = ACCOUNTS, **fields: Any) -> Any:
    data = {"kind": "accounts", "file": SimpleUploadedFile("accounts.csv", content.encode())}
    return client.upload("/api/imports", {**data, **fields})


def test_a_file_past_the_inline_size_is_imported_by_a_job(api):
    response = upload(api)
    assert response.status_code == 202
    job = Job.objects.get()
    run = ImportRun.objects.get()
    assert response["Location"] == f"/api/jobs/{job.pk}"
    body = response.json()
    assert {k: body[k] for k in ("id", "kind", "state", "unit", "percent", "url")} == {
        "id": job.pk,
        "kind": "import",
        "state": "done",
        "unit": "bytes",
        "percent": 100,
        "url": f"/api/jobs/{job.pk}",
    }
    assert (body["done"], body["total"]) == (len(ACCOUNTS), len(ACCOUNTS))
    assert body["result"] == {
        "import_run": run.pk,
        "kind": "accounts",
        "filename": "accounts.csv",
        "status": "committed",
        "rows_total": 40,
        "created": 40,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert body["result_url"] == f"/api/imports/{run.pk}"
    assert body["message"] == "40 rows read, 0 rejected"
    assert body["started_by"] == "owner"
    assert Account.objects.count() == 40
    assert api.get(response["Location"]).json() == body
    imported = api.get(body["result_url"]).json()
    assert (imported["status"], imported["job_url"], imported["rows_total"]) == (
        "committed",
        f"/api/jobs/{job.pk}",
        40,
    )


def test_a_small_file_is_still_imported_within_the_request(api, settings):
    settings.IMPORT_INLINE_MAX_BYTES = 1_000_000
    response = upload(api)
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["job_url"]) == ("committed", None)
    assert Job.objects.count() == 0


def test_under_the_database_backend_the_job_waits_for_the_worker(api, settings):
    settings.TASKS = DATABASE
    body = upload(api).json()
    assert (body["state"], body["done"], body["result"], body["result_url"]) == (
        "queued",
        0,
        {},
        None,
    )
    run = ImportRun.objects.get()
    assert (run.status, run.rows_total, run.job_id) == ("committing", 0, body["id"])
    assert Account.objects.count() == 0
    from advocacy.core.tasks import run_job

    run_job.call(body["id"])  # what `advocacy worker` does with the queued task
    assert api.get(body["url"]).json()["state"] == "done"
    assert Account.objects.count() == 40


def test_a_big_preview_and_its_commit_are_jobs(api):
    preview = upload(api, dry_run="true").json()
    run = ImportRun.objects.get()
    assert (preview["state"], preview["result"]["status"], preview["result"]["created"]) == (
        "done",
        "previewed",
        40,
    )
    assert Account.objects.count() == 0
    committed = api.post(f"/api/imports/{run.pk}/commit")
    assert committed.status_code == 202
    assert committed.json()["result"]["status"] == "committed"
    assert Account.objects.count() == 40
    again = api.post(f"/api/imports/{run.pk}/commit")
    assert (again.status_code, again.json()) == (
        422,
        {"detail": f"import {run.pk} is committed: only a previewed import can be committed"},
    )


def test_a_stopped_import_is_resumed_from_its_copy(api):
    upload(api, dry_run="true")
    run = ImportRun.objects.get()
    # As a killed worker leaves it: committing, 10 rows done (none really written here).
    ImportRun.objects.filter(pk=run.pk).update(status="committing", rows_total=10, created=10)
    response = api.post(f"/api/imports/{run.pk}/resume")
    assert response.status_code == 202
    assert response.json()["result"]["rows_total"] == 40
    assert response.json()["result"]["created"] == 40  # 10 counted before, 30 now
    assert Account.objects.count() == 30  # the first 10 rows were not written again
    done = api.post(f"/api/imports/{run.pk}/resume")
    assert (done.status_code, done.json()) == (
        422,
        {
            "detail": f"import {run.pk} is committed: only an import under way (previewing or "
            "committing) can be resumed"
        },
    )


def test_simulate_answers_202_and_the_job_holds_the_simulation(api, playbook):
    customer("ada@acme.example", at=dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC))
    response = api.get(
        "/api/plays/simulate", {"from": "2026-03-01", "to": "2026-03-14", "play": PROMOTER}
    )
    assert response.status_code == 202
    body = response.json()
    assert (body["kind"], body["state"], body["done"], body["total"], body["unit"]) == (
        "simulation",
        "done",
        14,
        14,
        "days",
    )
    assert body["title"] == f"Simulation of {PROMOTER}, 2026-03-01 to 2026-03-14"
    assert body["result"] == {
        "from": "2026-03-01T00:00:00+00:00",
        "to": "2026-03-14T23:59:59+00:00",
        "plays": [PROMOTER],
        "totals": {**ZERO, "asked": 1},
        "by_play": {PROMOTER: {**ZERO, "asked": 1}},
        "weeks": [
            {**ZERO, "week": "2026-02-23"},
            {**ZERO, "week": "2026-03-02", "asked": 1},
            {**ZERO, "week": "2026-03-09"},
        ],
    }
    assert body["result_url"] == body["url"]


def test_refreshing_profiles_answers_202(api):
    customer("ada@acme.example")
    response = api.post("/api/advocates/refresh")
    assert response.status_code == 202
    body = response.json()
    assert (body["kind"], body["state"], body["result"]["refreshed"], body["result_url"]) == (
        "profiles",
        "done",
        1,
        "/api/advocates",
    )
    assert (body["done"], body["total"], body["unit"]) == (1, 1, "contacts")


def test_the_council_pdf_is_built_by_a_job_and_downloaded(make_client):
    reader = make_client("read")
    response = reader.post("/api/metrics/council", {"month": "2026-05"})
    assert response.status_code == 202
    body = response.json()
    assert (body["kind"], body["state"], body["done"], body["total"]) == (
        "council_pdf",
        "done",
        3,
        3,
    )
    assert body["result"]["month"] == "2026-05"
    assert body["artefact_url"] == f"/api/jobs/{body['id']}/artefact"
    pdf = reader.get(body["artefact_url"])
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    content = b"".join(pdf.streaming_content)
    assert content[:5] == b"%PDF-"
    assert len(content) == body["result"]["bytes"]
    bad = reader.post("/api/metrics/council", {"month": "2026-13"})
    assert (bad.status_code, bad.json()) == (422, {"detail": "no month 13: expected 01 to 12"})


def test_a_job_without_a_file_has_no_artefact_and_unknown_jobs_are_404(api):
    customer("ada@acme.example")
    job = api.post("/api/advocates/refresh").json()
    assert api.get(f"/api/jobs/{job['id']}/artefact").json() == {
        "detail": f"job {job['id']} has produced no file (it is done)"
    }
    assert api.get("/api/jobs/999999").status_code == 404


def test_jobs_are_listed_newest_first_and_filtered(api, playbook):
    customer("ada@acme.example")
    refresh = api.post("/api/advocates/refresh").json()
    simulation = api.get("/api/plays/simulate", {"from": "2026-03-01", "to": "2026-03-02"}).json()
    listing = api.get("/api/jobs").json()
    assert (listing["count"], [j["id"] for j in listing["items"]]) == (
        2,
        [simulation["id"], refresh["id"]],
    )
    only = api.get("/api/jobs", {"kind": "profiles", "state": "done"}).json()
    assert [j["id"] for j in only["items"]] == [refresh["id"]]


def test_a_read_only_key_starts_at_most_the_rate_and_then_gets_429(make_client, playbook, settings):
    settings.JOB_RATE = parse_rate("2/hour")
    reader = make_client("read")
    params = {"from": "2026-03-01", "to": "2026-03-02"}
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 45, tzinfo=dt.UTC), tick=False):
        assert [reader.get("/api/plays/simulate", params).status_code for _ in range(2)] == [
            202,
            202,
        ]
        refused = reader.get("/api/plays/simulate", params)
        assert (refused.status_code, refused["Retry-After"], refused.json()) == (
            429,
            "900",
            {
                "detail": "too many jobs started: at most 2/hour per API key "
                "(ADVOCACY_JOB_RATE); retry in 900 s"
            },
        )
        other = make_client("read")  # another key has its own count
        assert other.get("/api/plays/simulate", params).status_code == 202
    assert Job.objects.count() == 3
    with time_machine.travel(dt.datetime(2026, 6, 1, 13, 0, tzinfo=dt.UTC), tick=False):
        assert reader.get("/api/plays/simulate", params).status_code == 202  # a new hour


def test_a_refused_big_import_leaves_no_run_behind(api, settings):
    settings.JOB_RATE = parse_rate("1/hour")
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        assert upload(api).status_code == 202
        refused = upload(api)
    assert refused.status_code == 429
    assert (ImportRun.objects.count(), Job.objects.count()) == (1, 1)
