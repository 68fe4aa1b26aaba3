"""Health scores from Gainsight and ChurnZero exports: presets map their columns to signals."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from advocacy.customers.models import Account, AccountIdentity
from advocacy.signals.imports import PRESETS, run_import
from advocacy.signals.models import Signal

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture
def accounts(db):
    names = ("Acme", "Globex", "Initech")
    return {name: Account.objects.create(name=name, domain=f"{name.lower()}.com") for name in names}


def copy(tmp_path, name):
    return Path(shutil.copy(SAMPLES / name, tmp_path / name))


def test_both_presets_are_offered_for_signals_only():
    assert (PRESETS["gainsight"].source, PRESETS["churnzero"].source) == ("gainsight", "churnzero")
    assert PRESETS["gainsight"].defaults == {"signals": {"kind": "health_score"}}
    assert PRESETS["churnzero"].columns["accounts"] == {}


def test_a_gainsight_scorecard_export_becomes_health_scores(tmp_path, accounts):
    path = copy(tmp_path, "gainsight-scorecard.csv")
    run = run_import("signals", path, preset="gainsight", now=NOW)
    assert (run.status, run.rows_total, run.created, run.rejected) == ("committed", 4, 2, 2)
    rows = list(
        Signal.objects.order_by("account__name").values_list(
            "source", "kind", "account__name", "value", "text", "occurred_at"
        )
    )
    assert rows == [
        (
            "gainsight",
            "health_score",
            "Acme",
            82.0,
            "Good",
            datetime(2026, 2, 27, 9, 30, tzinfo=UTC),
        ),
        (
            "gainsight",
            "health_score",
            "Globex",
            41.5,
            "Poor",
            datetime(2026, 2, 28, 16, 15, tzinfo=UTC),
        ),
    ]
    assert run.mapping["columns"] == {
        "account_name": "Company Name",
        "account_domain": "Company Domain",
        "value": "Overall Score",
        "text": "Overall Score Label",
        "occurred_at": "Score Modified Date",
    }
    assert run.mapping["defaults"] == {"kind": "health_score"}
    assert run.mapping["ignored"] == ["Company GSID", "CSM"]
    acme = Signal.objects.get(account__name="Acme")
    assert acme.payload["Company GSID"] == "1P02ABCDEF0123456789"
    reasons = sorted((e["line"], e["found"]) for e in run.row_errors.values("line", "found"))
    assert [line for line, _ in reasons] == [4, 5]
    again = run_import("signals", path, preset="gainsight", now=NOW)
    assert (again.created, again.unchanged, Signal.objects.count()) == (0, 2, 2)


def test_a_churnzero_export_matches_accounts_by_their_churnzero_id(tmp_path, accounts):
    AccountIdentity.objects.bulk_create(
        [
            AccountIdentity(
                account=accounts["Acme"], source="churnzero", external_id="001Ax000001"
            ),
            AccountIdentity(
                account=accounts["Initech"], source="churnzero", external_id="001Ax000003"
            ),
        ]
    )
    path = copy(tmp_path, "churnzero-accounts.csv")
    run = run_import("signals", path, preset="churnzero", now=NOW)
    assert (run.status, run.rows_total, run.created, run.rejected) == ("committed", 3, 2, 1)
    rows = list(
        Signal.objects.order_by("account__name").values_list("source", "account__name", "value")
    )
    assert rows == [("churnzero", "Acme", 77.0), ("churnzero", "Initech", 35.0)]
    assert list(run.row_errors.values_list("line", "column", "found")) == [(3, "ChurnScore", "104")]
    assert set(run.mapping["ignored"]) == {"Next Renewal Date", "Owner"}


def test_a_mapping_file_matches_churnzero_rows_by_the_crm_id_instead(tmp_path, accounts):
    AccountIdentity.objects.bulk_create(
        [
            AccountIdentity(
                account=accounts["Acme"], source="salesforce", external_id="001Ax000001"
            ),
            AccountIdentity(
                account=accounts["Initech"], source="salesforce", external_id="001Ax000003"
            ),
        ]
    )
    Account.objects.filter(pk=accounts["Initech"].pk).update(name="Initech Corp")
    mapping = {"source": "salesforce", "columns": {"account_external_id": "Account External ID"}}
    path = copy(tmp_path, "churnzero-accounts.csv")
    run = run_import("signals", path, preset="churnzero", mapping=mapping, now=NOW)
    assert (run.created, run.rejected) == (2, 1)
    rows = list(Signal.objects.order_by("account__name").values_list("account__name", "value"))
    assert rows == [("Acme", 77.0), ("Initech Corp", 35.0)]


def test_a_health_preset_refuses_an_accounts_import(tmp_path, accounts):
    from advocacy.signals.imports import ImportFileError

    path = copy(tmp_path, "churnzero-accounts.csv")
    with pytest.raises(ImportFileError, match="preset 'churnzero' has no accounts format"):
        run_import("accounts", path, preset="churnzero", now=NOW)
