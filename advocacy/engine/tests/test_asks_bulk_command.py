"""advocacy asks open with several contacts (--email, --contacts-file), and asks assign of
several asks."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from advocacy.engine.asks import AskRequest, open_asks
from advocacy.pipeline.models import Ask, AskType
from advocacy.signals.tests.promoters import customer

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("asks", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def people() -> dict[str, Any]:
    now = timezone.now()
    found = {name: customer(f"{name}@{name}.example", at=now) for name in ("ann", "cat")}
    found["bob"] = customer("bob@bob.example", at=now, nps=4)
    return found


def test_open_asks_several_and_explains_each_refusal(people: dict[str, Any], member: Any) -> None:
    out = run("open", "review", "--email", "ANN@ann.example", "--email", "bob@bob.example",
              "--as", "member")  # fmt: skip
    ask = Ask.objects.get(contact=people["ann"])
    assert out.splitlines() == [
        "1 ask(s) opened: Review (G2, Capterra, TrustRadius); 1 refused",
        f"  ask {ask.pk} opened for ann@ann.example",
        "  bob@bob.example refused (nps_below_min, excluded_dissatisfied): not met: latest NPS "
        "≥ 9; excluded: dissatisfied: paused until resolved",
    ]
    assert ask.owner_id == member.pk


def test_open_from_a_file_as_json(people: dict[str, Any], tmp_path: Path) -> None:
    quote = AskType.objects.get(code="testimonial_quote")
    cat = people["cat"]
    asked = timezone.now() - dt.timedelta(days=2)
    assert open_asks([AskRequest(cat.pk, quote, "x")], now=asked).opened
    listing = tmp_path / "people.csv"
    listing.write_text("email,name\nann@ann.example,Ann\ncat@cat.example,Cat\n\n")

    body = json.loads(run("open", "review", "--contacts-file", str(listing), "--json"))

    assert [o["contact_id"] for o in body["opened"]] == [people["ann"].pk]
    assert [(r["email"], r["code"]) for r in body["refused"]] == [
        ("cat@cat.example", "cap_low_effort")
    ]


def test_bulk_open_refuses_unknown_contacts_overrides_and_a_missing_file(
    people: dict[str, Any], owner: Any
) -> None:
    with pytest.raises(
        CommandError, match=re.escape("no contact with the email(s): zed@x.example")
    ):
        run("open", "review", "--email", "ann@ann.example", "--email", "zed@x.example")
    with pytest.raises(CommandError, match="--override-reason: one contact at a time"):
        run("open", "review", "--email", "ann@ann.example", "--email", "cat@cat.example",
            "--override-reason", "trust me", "--as", "owner")  # fmt: skip
    with pytest.raises(CommandError, match="--contacts-file: No such file or directory"):
        run("open", "review", "--contacts-file", "/nonexistent/people.csv")
    with pytest.raises(CommandError, match="name a contact: EMAIL, --email EMAIL or"):
        run("open", "review")
    assert Ask.objects.count() == 0


def test_one_email_still_opens_one_ask(people: dict[str, Any]) -> None:
    out = run("open", "ann@ann.example", "review")
    ask = Ask.objects.get()
    assert out == f"ask {ask.pk} opened: Review (G2, Capterra, TrustRadius) for ann@ann.example\n"


def test_assign_several_asks(people: dict[str, Any], member: Any, owner: Any) -> None:
    review = AskType.objects.get(code="review")
    opened = open_asks(
        [AskRequest(people[n].pk, review, "m") for n in ("ann", "cat")], now=timezone.now()
    ).opened
    ids = sorted(a.pk for a in opened)

    out = run("assign", *map(str, ids), "owner", "--as", "member")

    assert out.splitlines() == [f"ask {pk} is now owned by owner" for pk in ids]
    assert set(Ask.objects.values_list("owner_id", flat=True)) == {owner.pk}
    body = json.loads(run("assign", *map(str, ids), "member", "--json"))
    assert body == {"ids": ids, "owner": "member"}
    with pytest.raises(CommandError, match="no ask with id 999999"):
        run("assign", str(ids[0]), "999999", "owner")
