"""After an erasure, no import brings the person back: their rows are refused, with the reason."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from advocacy.customers.models import Contact
from advocacy.privacy.services import erase_person
from advocacy.privacy.tests.world import NOW, World, build
from advocacy.signals.imports import run_import
from advocacy.signals.models import Signal
from advocacy.signals.records import SignalRecord
from advocacy.signals.services import record_signals

pytestmark = pytest.mark.django_db
REASON = "erased on request on 2026-06-01; not re-imported"
EXPECTED = "a person who was not erased"


@pytest.fixture
def erased(owner: Any, settings: Any, tmp_path: Path) -> Iterator[World]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=False):
        world = build(owner)
        erase_person(world.ann, actor=owner, via="cli", now=NOW, reason="her email")
        yield world


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def errors(run: Any) -> list[tuple[int, str, str, str, str]]:
    return list(run.row_errors.values_list("line", "column", "expected", "found", "message"))


def test_a_contacts_file_naming_her_is_refused_and_the_good_rows_go_in(
    erased: World, tmp_path: Path, owner: Any
) -> None:
    path = write(
        tmp_path / "contacts.csv",
        ["email", "first_name", "account_domain", "external_source", "external_id"],
        [
            ["carol@acme.example", "Carol", "acme.example", "hubspot", "hs-carol"],
            ["ANN@acme.example", "Ann", "acme.example", "", ""],
            ["ann.lee@newco.example", "Ann", "newco.example", "hubspot", "hs-ann"],
            ["dan@acme.example", "Dan", "acme.example", "", ""],
        ],
    )

    run = run_import("contacts", path, actor=owner, now=NOW)

    assert (run.status, run.created, run.updated, run.rejected) == ("committed", 2, 0, 2)
    assert errors(run) == [
        (3, "email", EXPECTED, "ann@acme.example", REASON),
        (4, "external_id", EXPECTED, "hubspot:hs-ann", REASON),
    ]
    assert sorted(Contact.objects.values_list("email", flat=True)) == [
        "bob@acme.example", "carol@acme.example", "dan@acme.example",
    ]  # fmt: skip


def test_a_preview_shows_the_same_refusal(erased: World, tmp_path: Path, owner: Any) -> None:
    path = write(
        tmp_path / "c.csv", ["email", "account_domain"], [["ann@acme.example", "acme.example"]]
    )
    run = run_import("contacts", path, actor=owner, now=NOW, dry_run=True)
    assert (run.status, run.created, run.rejected) == ("previewed", 0, 1)
    assert errors(run) == [(2, "email", EXPECTED, "ann@acme.example", REASON)]


def test_a_signals_file_about_her_is_refused_and_the_good_rows_go_in(
    erased: World, tmp_path: Path, owner: Any
) -> None:
    path = write(
        tmp_path / "signals.csv",
        ["email", "kind", "occurred_at", "value", "key"],
        [
            ["bob@acme.example", "nps", "2026-05-31T10:00Z", "9", "b1"],
            ["ann@acme.example", "nps", "2026-05-31T10:00Z", "10", "a1"],
            ["nobody@acme.example", "nps", "2026-05-31T10:00Z", "7", "n1"],
        ],
    )

    run = run_import("signals", path, actor=owner, now=NOW)

    assert (run.created, run.rejected) == (1, 2)
    assert errors(run) == [
        (3, "email", EXPECTED, "ann@acme.example", REASON),
        (4, "email", "the email of an imported contact", "nobody@acme.example",
         "no contact with this email; import contacts first"),
    ]  # fmt: skip
    assert list(Signal.objects.filter(key="b1").values_list("contact__email", flat=True)) == [
        "bob@acme.example"
    ]


def test_signals_sent_by_email_or_external_id_are_refused(erased: World) -> None:
    def about(key: str, **who: Any) -> SignalRecord:
        return SignalRecord(source="api", key=key, kind="nps", occurred_at=NOW, value=9, **who)

    result = record_signals(
        [
            about("1", contact_email="ann@acme.example"),
            about("2", contact_external_id=("salesforce", "sf-ann")),
            about("3", contact_external_id=("salesforce", "sf-bob")),
        ],
        actor=None,
        now=NOW,
    )

    assert result.created == 1
    assert [(e.index, e.field, e.expected, e.found, e.message) for e in result.rejected] == [
        (0, "contact", EXPECTED, "ann@acme.example", REASON),
        (1, "contact", EXPECTED, "salesforce:sf-ann", REASON),
    ]
