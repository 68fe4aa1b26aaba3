"""The import wizard: upload, preview, commit or cancel, result, errors download, limits."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from advocacy.customers.models import Contact
from advocacy.signals.models import ImportRun, ImportStatus
from advocacy.web.tests.conftest import HTMX, make_account

pytestmark = pytest.mark.django_db

CONTACTS_CSV = (
    "email,first_name,last_name,account_domain,persona\n"
    "ann@acme.example,Ann,Archer,acme.example,champion\n"
    "not-an-email,Bob,Baker,acme.example,executive\n"
    "cat@acme.example,Cat,Cole,acme.example,astronaut\n"
    "dan@acme.example,Dan,Dunn,acme.example,admin\n"
    "=1+2,Eve,Evil,acme.example,admin\n"
)


@pytest.fixture
def acme() -> Any:
    return make_account("Acme", domain="acme.example")


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(
    client: Client, text: str, *, kind: str = "contacts", name: str = "people.csv", **extra: Any
) -> Any:
    data = {
        "kind": kind,
        "preset": "advocacy",
        "file": SimpleUploadedFile(name, text.encode(), content_type="text/csv"),
        **extra,
    }
    return client.post(reverse("web:import_new"), data)


def test_upload_form_renders_labelled_fields(staff_client: Client) -> None:
    response = staff_client.get(reverse("web:import_new"), {"kind": "signals"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_file">CSV file</label>' in html
    assert '<label for="id_mapping_file">Mapping file (optional)</label>' in html
    assert 'enctype="multipart/form-data"' in html
    assert response.context["form"]["kind"].value() == "signals"
    assert [value for value, _ in response.context["form"].fields["preset"].choices] == [
        "advocacy",
        "churnzero",
        "gainsight",
        "hubspot",
        "salesforce",
    ]


def test_preview_then_commit(staff_client: Client, acme: Any, member: Any) -> None:
    response = upload(staff_client, CONTACTS_CSV)
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:import_detail", kwargs={"pk": run.pk})
    assert (run.status, run.created, run.rejected, run.created_by) == (
        ImportStatus.PREVIEWED,
        2,
        3,
        member,
    )
    assert Contact.objects.count() == 0  # a preview writes nothing

    page = staff_client.get(response["Location"])
    html = page.content.decode()
    assert [e.line for e in page.context["errors"]] == [3, 4, 6]
    assert html.count('data-testid="error-row"') == 3
    assert '<span class="stat__value" data-testid="count-created">2</span>' in html
    assert '<span class="stat__value" data-testid="count-rejected">3</span>' in html
    assert 'data-testid="import-encoding">utf-8' in html
    assert 'data-testid="import-delimiter">,</strong>' in html
    assert 'aria-current="step">Preview</li>' in html
    assert f'action="/imports/{run.pk}/commit/"' in html

    committed = staff_client.post(reverse("web:import_commit", kwargs={"pk": run.pk}))
    assert committed.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.created, run.rejected) == (ImportStatus.COMMITTED, 2, 3)
    assert sorted(Contact.objects.values_list("email", flat=True)) == [
        "ann@acme.example",
        "dan@acme.example",
    ]
    result = staff_client.get(committed["Location"])
    html = result.content.decode()
    assert "Imported: 2 created, 0 updated, 0 unchanged, 3 rejected." in html
    assert 'aria-current="step">Result</li>' in html
    assert 'data-testid="import-commit"' not in html


def test_errors_download_neutralises_formulas(staff_client: Client, acme: Any) -> None:
    upload(staff_client, CONTACTS_CSV)
    run = ImportRun.objects.get()
    response = staff_client.get(reverse("web:import_errors", kwargs={"pk": run.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="people-errors-{run.pk}.csv"'
    lines = response.content.decode().splitlines()
    assert lines[0] == "line,column,expected,found,message"
    assert [line.split(",")[0] for line in lines[1:]] == ["3", "4", "6"]
    assert ",'=1+2," in lines[3]


def test_commit_twice_is_refused(staff_client: Client, acme: Any) -> None:
    upload(staff_client, CONTACTS_CSV)
    run = ImportRun.objects.get()
    url = reverse("web:import_commit", kwargs={"pk": run.pk})
    staff_client.post(url)
    again = staff_client.post(url, follow=True)
    assert "This import is already committed." in again.content.decode()
    assert Contact.objects.count() == 2


def test_commit_is_post_only(staff_client: Client, acme: Any) -> None:
    upload(staff_client, CONTACTS_CSV)
    run = ImportRun.objects.get()
    assert staff_client.get(reverse("web:import_commit", kwargs={"pk": run.pk})).status_code == 405


def test_strict_mode_writes_nothing(staff_client: Client, acme: Any) -> None:
    upload(staff_client, CONTACTS_CSV, strict="on")
    run = ImportRun.objects.get()
    assert run.strict is True
    preview = staff_client.get(reverse("web:import_detail", kwargs={"pk": run.pk}))
    assert "Strict mode is on and 3 rows are bad: committing will import nothing." in (
        preview.content.decode()
    )
    response = staff_client.post(reverse("web:import_commit", kwargs={"pk": run.pk}), follow=True)
    run.refresh_from_db()
    assert run.status == ImportStatus.REJECTED
    assert Contact.objects.count() == 0
    assert 'data-testid="import-rejected-note"' in response.content.decode()


def test_cancel_drops_the_preview(staff_client: Client, acme: Any) -> None:
    upload(staff_client, CONTACTS_CSV)
    run = ImportRun.objects.get()
    stored = run.upload.path
    response = staff_client.post(reverse("web:import_cancel", kwargs={"pk": run.pk}), follow=True)
    assert ImportRun.objects.count() == 0
    assert Contact.objects.count() == 0
    assert "Import of people.csv cancelled; nothing was written." in response.content.decode()
    import os

    assert os.path.exists(stored) is False


def test_unusable_file_is_reported_on_the_form(staff_client: Client) -> None:
    response = upload(staff_client, "name,phone\nAnn,123\n")
    assert response.status_code == 400
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1
    assert errors[0].startswith("missing required columns for a contacts import")


def test_bad_mapping_file_is_reported_beside_it(staff_client: Client, acme: Any) -> None:
    mapping = SimpleUploadedFile("map.yaml", b"columns: [unclosed")
    response = upload(staff_client, CONTACTS_CSV, mapping_file=mapping)
    assert response.status_code == 400
    assert response.context["form"].errors["mapping_file"] == [
        "The mapping file is not valid YAML or JSON at line 1."
    ]


def test_mapping_file_maps_columns(staff_client: Client, acme: Any) -> None:
    mapping = SimpleUploadedFile("map.yaml", b"columns:\n  email: E-mail\n")
    text = "E-mail,account_domain\nzoe@acme.example,acme.example\n"
    response = upload(staff_client, text, mapping_file=mapping)
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert (run.created, run.rejected) == (1, 0)


@override_settings(IMPORT_MAX_UPLOAD_MB=1)
def test_upload_limit(staff_client: Client) -> None:
    big = "email,account_domain\n" + "x" * (1024 * 1024)
    response = upload(staff_client, big)
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "The file is 1.0 MB; the largest accepted is 1 MB (ADVOCACY_IMPORT_MAX_UPLOAD_MB). "
        "Split it, or import it with the `advocacy import` command."
    ]
    assert ImportRun.objects.count() == 0


def test_imports_list(staff_client: Client, acme: Any) -> None:
    empty = staff_client.get(reverse("web:imports")).content.decode()
    assert "No imports yet" in empty
    upload(staff_client, CONTACTS_CSV)
    response = staff_client.get(reverse("web:imports"))
    html = response.content.decode()
    assert html.count('data-testid="import-row"') == 1
    assert "people.csv" in html
    partial = staff_client.get(reverse("web:imports"), **HTMX).content.decode()
    assert "<html" not in partial
    assert partial.count('data-testid="import-row"') == 1
