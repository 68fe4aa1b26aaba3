"""Mapping files and presets: any CSV can be mapped; a bad mapping names its bad key."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from advocacy.customers.models import Account, AccountIdentity
from advocacy.signals.imports import PRESETS, ImportFileError, load_mapping_file, run_import
from advocacy.signals.imports.converters import country_region, signal_kind
from advocacy.signals.imports.presets import plan_import
from advocacy.signals.tests.files import write_csv

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def plan(kind, header, mapping=None, preset=None):
    return plan_import(kind, header, preset=preset, mapping=mapping, tz=UTC)


@pytest.mark.django_db
def test_mapping_file_maps_columns_and_defaults(tmp_path):
    mapping_path = tmp_path / "pipedrive.yaml"
    mapping_path.write_text(
        "kind: accounts\n"
        "source: pipedrive\n"
        "columns:\n"
        "  name: Organisation\n"
        "  external_id: Org ID\n"
        "  customer_since: Won on\n"
        "  products: [Modules, Products]\n"
        "defaults:\n"
        "  industry: Logistics\n"
        "  nda: yes\n"
        "date_format: '%d/%m/%Y'\n"
    )
    path = write_csv(
        tmp_path / "orgs.csv",
        ["Org ID", "Organisation", "Won on", "Products"],
        [["77", "Maersk", "31/01/2025", "core; analytics"]],
    )
    run = run_import("accounts", path, mapping=load_mapping_file(mapping_path), now=NOW)
    assert (run.status, run.created, run.rejected) == ("committed", 1, 0)
    account = Account.objects.get()
    assert (account.name, account.industry, account.nda, account.customer_since) == (
        "Maersk",
        "Logistics",
        True,
        date(2025, 1, 31),
    )
    assert account.products == ["core", "analytics"]
    assert list(AccountIdentity.objects.values_list("source", "external_id")) == [
        ("pipedrive", "77")
    ]
    assert run.mapping["columns"] == {
        "external_id": "Org ID",
        "name": "Organisation",
        "customer_since": "Won on",
        "products": "Products",
    }


def test_json_mapping_file_is_read(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"columns": {"email": "E-mail"}}))
    assert load_mapping_file(path) == {"columns": {"email": "E-mail"}}


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"colums": {}}, "mapping: unknown key 'colums': expected one of kind, source, columns"),
        ({"kind": "accounts"}, "mapping: kind is 'accounts' but this is a contacts import"),
        (
            {"columns": {"emial": "E-mail"}},
            "mapping: columns.emial is not a contacts field: expected one of account_domain",
        ),
        ({"columns": {"email": 3}}, "mapping: columns.email must be a column name, found 3"),
        ({"columns": ["email"]}, "mapping: columns must map our field names to values"),
        ({"defaults": {"persona": "astronaut"}}, "mapping: defaults.persona = 'astronaut' is"),
        ({"columns": {"email": "Mail"}}, "mapping names columns the file does not have: Mail"),
        ({"date_format": 5}, "mapping: date_format must be a strptime format"),
    ],
)
def test_bad_mapping_names_the_bad_key(mapping, message):
    with pytest.raises(ImportFileError) as caught:
        plan("contacts", ["Email"], mapping)
    assert str(caught.value).startswith(message)


def test_mapping_file_that_is_not_a_mapping(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("- email\n- name\n")
    with pytest.raises(ImportFileError, match="expected a mapping with keys kind, source"):
        load_mapping_file(path)
    path.write_text("columns: {email: [\n")
    with pytest.raises(ImportFileError, match=r"m\.yaml: not valid YAML or JSON"):
        load_mapping_file(path)


def test_unknown_preset_and_preset_without_signals():
    with pytest.raises(ImportFileError, match="unknown preset 'pipedrive': expected one of"):
        plan("contacts", ["Email"], preset="pipedrive")
    with pytest.raises(ImportFileError, match="preset 'hubspot' has no signals format"):
        plan("signals", ["Email"], preset="hubspot")


def test_presets_match_headers_whatever_the_case_and_spacing():
    result = plan("contacts", [" EMAIL ", "Job  title", "Company Name"], preset="hubspot")
    assert result.describe()["columns"] == {
        "email": " EMAIL ",
        "title": "Job  title",
        "account_name": "Company Name",
    }
    assert sorted(PRESETS) == ["advocacy", "churnzero", "gainsight", "hubspot", "salesforce"]


@pytest.mark.parametrize(
    ("country", "region"),
    [("United States", "na"), ("DE", "emea"), ("Brasil", "latam"), ("Japan", "apac"), ("Mars", "")],
)
def test_country_to_region(country, region):
    assert country_region(country) == region


@pytest.mark.parametrize(
    ("cell", "kind"),
    [
        ("NPS", "nps"),
        ("Net Promoter Score", "nps"),
        ("Ticket-Opened", "ticket_opened"),
        ("Health Score", "health_score"),
        ("unsubscribe", "opt_out"),
    ],
)
def test_signal_kind_aliases(cell, kind):
    assert signal_kind(cell) == kind
