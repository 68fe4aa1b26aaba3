"""advocacy privacy export|erase: the file, the confirmation, and --as held to admins."""

from __future__ import annotations

import io
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from advocacy.customers.models import Contact, Suppression
from advocacy.people.models import AuditEntry
from advocacy.privacy.tests.world import NOW, World, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(owner: Any) -> Iterator[World]:
    with time_machine.travel(NOW, tick=False):
        yield build(owner)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("privacy", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class Terminal(io.StringIO):
    """Standard input that is a terminal, holding what the user types."""

    def isatty(self) -> bool:
        return True


def test_export_prints_the_document_or_writes_a_private_file(world: World, tmp_path: Path) -> None:
    out, _ = run("export", "Ann@acme.example", "--as", "owner")
    doc = json.loads(out)
    assert (doc["format"], doc["contact"]["email"], len(doc["signals"])) == (
        "advocacy.person-export", "ann@acme.example", 2
    )  # fmt: skip
    target = tmp_path / "ann.json"
    out, err = run("export", "ann@acme.example", "--output", str(target))
    assert (out, err) == ("", f"wrote the data of contact {world.ann.pk} to {target}\n")
    assert json.loads(target.read_text())["contact"]["id"] == world.ann.pk
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    entries = AuditEntry.objects.filter(action="privacy.export").order_by("id")
    assert list(entries.values_list("actor_name", "via")) == [("owner", "cli"), ("", "cli")]


def test_erase_with_yes(world: World) -> None:
    out, _ = run("erase", "ann@acme.example", "--reason", "her email", "--yes", "--as", "owner")
    assert out == (
        f"contact {world.ann.pk} erased: 34 record(s) deleted, 1 reference request(s) open "
        "again, 3 audit entr(ies) blanked; the email and identities are on the suppression list\n"
    )
    assert not Contact.objects.filter(email="ann@acme.example").exists()
    assert Suppression.objects.count() == 3
    with pytest.raises(CommandError) as caught:
        run("erase", "ann@acme.example", "--reason", "again", "--yes")
    assert str(caught.value) == (
        "no contact with email 'ann@acme.example': erased on request on 2026-06-01; not re-imported"
    )


def test_erase_json(world: World) -> None:
    out, _ = run("erase", "ann@acme.example", "--reason", "r", "--yes", "--json")
    body = json.loads(out)
    assert (body["contact_id"], body["deleted"]["customers.Contact"]) == (world.ann.pk, 1)


def test_without_yes_and_no_terminal_it_refuses(world: World, monkeypatch: Any) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("ann@acme.example\n"))
    with pytest.raises(CommandError) as caught:
        run("erase", "ann@acme.example", "--reason", "her email")
    assert str(caught.value) == (
        "erasing cannot be undone and there is no terminal to confirm it: run it again with --yes"
    )
    assert Contact.objects.filter(pk=world.ann.pk).exists()


def test_on_a_terminal_it_asks_for_the_email(world: World, monkeypatch: Any) -> None:
    monkeypatch.setattr("sys.stdin", Terminal("bob@acme.example\n"))
    with pytest.raises(CommandError) as caught:
        run("erase", "ann@acme.example", "--reason", "her email")
    assert str(caught.value) == "not erased: you typed 'bob@acme.example', not 'ann@acme.example'"
    assert Contact.objects.filter(pk=world.ann.pk).exists()

    monkeypatch.setattr("sys.stdin", Terminal(" ANN@acme.example\n"))
    out, err = run("erase", "ann@acme.example", "--reason", "her email")
    assert err == (
        f"This deletes contact {world.ann.pk} (ann@acme.example) and everything held about "
        "them, for good. Type the email to confirm: "
    )
    assert out.startswith(f"contact {world.ann.pk} erased: ")
    assert not Contact.objects.filter(pk=world.ann.pk).exists()


def test_as_a_non_admin_both_are_refused(world: World, member: Any) -> None:
    for args in (("export", "ann@acme.example"), ("erase", "ann@acme.example", "--reason", "r",
                                                  "--yes")):  # fmt: skip
        with pytest.raises(CommandError) as caught:
            run(*args, "--as", "member")
        assert str(caught.value) == (
            "member (Customer success) may not export or erase a person's data: that is for Admin"
        )
    assert Contact.objects.filter(pk=world.ann.pk).exists()
    assert not AuditEntry.objects.filter(action__startswith="privacy.").exists()


def test_bad_input_says_what_was_wrong(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as caught:
        run("export", "nobody@acme.example")
    assert str(caught.value) == "no contact with email 'nobody@acme.example'"
    with pytest.raises(CommandError) as caught:
        run("export", "ann@acme.example", "--output", str(tmp_path / "missing" / "x.json"))
    assert str(caught.value) == (
        f"--output: cannot write {tmp_path / 'missing' / 'x.json'}: No such file or directory"
    )
    with pytest.raises(CommandError) as caught:
        run("erase", "ann@acme.example", "--reason", " ", "--yes")
    assert str(caught.value).startswith("a reason is required: ")
