"""/api/imports: upload a CSV, preview or commit it, read counts and the error report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from advocacy.customers.models import Account
from advocacy.people.models import Scope
from advocacy.signals.models import ImportRun

pytestmark = pytest.mark.django_db

GOOD_AND_BAD = (
    "name,domain,employees\n"
    "Acme,acme.com,2500\n"
    "Globex,globex.io,lots\n"
    "=HYPERLINK(1),initech.com,-5\n"
)


def upload(client, content=GOOD_AND_BAD, **fields):
    data = {"kind": "accounts", "file": SimpleUploadedFile("accounts.csv", content.encode())}
    data.update(fields)
    return client.upload("/api/imports", data)


def test_import_commits_good_rows_and_reports_bad_ones(api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = upload(api)
    assert response.status_code == 201
    run = ImportRun.objects.get()
    body = response.json()
    assert {k: body[k] for k in ("id", "kind", "status", "filename", "created", "rejected")} == {
        "id": run.pk,
        "kind": "accounts",
        "status": "committed",
        "filename": "accounts.csv",
        "created": 1,
        "rejected": 2,
    }
    assert body["errors_url"] == f"/api/imports/{run.pk}/errors.csv"
    assert list(Account.objects.values_list("name", flat=True)) == ["Acme"]

    same = api.get(f"/api/imports/{run.pk}").json()
    assert same == body
    listing = api.get("/api/imports").json()
    assert (listing["count"], listing["items"][0]["id"]) == (1, run.pk)

    errors = api.get(body["errors_url"])
    assert errors.status_code == 200
    assert errors["Content-Type"] == "text/csv; charset=utf-8"
    assert errors.content.decode() == (
        "line,column,expected,found,message\r\n"
        "3,employees,a whole number,lots,not a whole number\r\n"
        '4,employees,a whole number,\'-5,"not a whole number from 0 to 2,000,000,000"\r\n'
    )  # '-5: a cell a spreadsheet would run as a formula is neutralised


def test_dry_run_previews_then_commit(api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    preview = upload(api, "name,domain\nAcme,acme.com\n", dry_run="true").json()
    assert (preview["status"], preview["created"]) == ("previewed", 1)
    assert Account.objects.count() == 0
    committed = api.post(f"/api/imports/{preview['id']}/commit")
    assert committed.status_code == 200
    assert (committed.json()["status"], committed.json()["created"]) == ("committed", 1)
    assert Account.objects.count() == 1
    again = api.post(f"/api/imports/{preview['id']}/commit")
    assert again.status_code == 422
    assert again.json() == {
        "detail": f"import {preview['id']} is committed: only a previewed import can be committed"
    }


def test_strict_import_with_a_bad_row_writes_nothing(api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    body = upload(api, strict="true").json()
    assert (body["status"], body["rejected"]) == ("rejected", 2)
    assert Account.objects.count() == 0


def test_unusable_file_is_a_422_naming_the_problem(api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = upload(api, "colour,size\nred,3\n")
    assert response.status_code == 422
    assert "name" in response.json()["detail"]


def test_unknown_kind_and_bad_mapping_are_refused(api):
    response = upload(api, kind="planets")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "kind"
    response = upload(api, mapping="{not json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "mapping"


def test_imports_need_their_scope(make_client):
    client = make_client(Scope.READ, Scope.CUSTOMERS_WRITE)
    response = upload(client)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("missing scope 'imports:write'")


def test_replayed_upload_imports_once(api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    key = {"Idempotency-Key": "upload-1"}
    first = api.client.post(
        "/api/imports",
        {"kind": "accounts", "file": SimpleUploadedFile("a.csv", b"name\nAcme\n")},
        headers={**key, **api._headers(None)},
    )
    second = api.client.post(
        "/api/imports",
        {"kind": "accounts", "file": SimpleUploadedFile("a.csv", b"name\nAcme\n")},
        headers={**key, **api._headers(None)},
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.content == first.content
    assert ImportRun.objects.count() == 1


def test_binary_file_is_refused_before_reading(api):
    response = upload(api, "name\nAc\x00me\n")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "accounts.csv: contains NUL bytes: expected a text CSV file (UTF-8, UTF-16 "
        "with its byte order mark, or a Windows code page)"
    }
    assert ImportRun.objects.count() == 0


def test_utf16_file_with_its_byte_order_mark_is_read(api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = "name\tdomain\nÉcole\tecole.fr\n".encode("utf-16")
    data = {"kind": "accounts", "file": SimpleUploadedFile("e.csv", content)}
    body = api.upload("/api/imports", data).json()
    assert (body["status"], body["created"], body["encoding"]) == ("committed", 1, "utf-16")
    assert list(Account.objects.values_list("name", flat=True)) == ["École"]


def test_a_gainsight_export_uploads_as_health_scores(api, settings, tmp_path):
    from pathlib import Path

    from advocacy.signals.models import Signal

    settings.MEDIA_ROOT = tmp_path
    Account.objects.create(name="Acme", domain="acme.com")
    Account.objects.create(name="Globex", domain="globex.com")
    sample = Path(__file__).parents[2] / "signals/tests/samples/gainsight-scorecard.csv"
    data = {
        "kind": "signals",
        "preset": "gainsight",
        "file": SimpleUploadedFile("scorecard.csv", sample.read_bytes()),
    }
    response = api.upload("/api/imports", data)
    assert response.status_code == 201
    body = response.json()
    assert (body["preset"], body["created"], body["rejected"]) == ("gainsight", 2, 2)
    assert list(Signal.objects.order_by("value").values_list("kind", "source", "value")) == [
        ("health_score", "gainsight", 41.5),
        ("health_score", "gainsight", 82.0),
    ]
