"""`--as-of` on every command that records a moment: the moment recorded is the one given.

GIVEN the clock at NOW WHEN a command runs with `--as-of` two days earlier THEN the moment it
records (event `at`, `opted_out_at`, agreement and content times, request times) is that one.
Kept here, at the top layer, because the commands span the pipeline, engine, content,
references and metrics.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from advocacy.content.models import AssetEvent, AssetUse, Consent
from advocacy.content.tests.conftest import advocate, asset_in, case_study
from advocacy.customers.models import Contact
from advocacy.engine.tests.guard_world import NOW, account, ask, person
from advocacy.pipeline.agreement_services import create_agreement
from advocacy.pipeline.agreements import Agreement, AgreementStatus
from advocacy.pipeline.models import Ask, AskEvent, RoutingRule
from advocacy.pipeline.pausing import pause_ask
from advocacy.references.models import ReferenceRequest

pytestmark = pytest.mark.django_db
WHEN = NOW - dt.timedelta(days=2, hours=3)
EARLIER = WHEN - dt.timedelta(days=1)
FILE = (
    "references", "file", "--opportunity", "Globex expansion", "--prospect", "Globex",
    "--industry", "SaaS", "--needed-by", "2026-06-20",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@dataclass(frozen=True)
class Case:
    """A command: its arguments once the world is set up, and where its moment is recorded."""

    name: str
    args: Callable[[], tuple[str, ...]]
    recorded: Callable[[], dt.datetime | None]


def _last_event_at() -> dt.datetime:
    return AskEvent.objects.latest("id").at


def _ask() -> str:
    return str(ask(person(account(), "ada")).pk)


def _paused() -> str:
    found = ask(person(account(), "ada"))
    pause_ask(found, "legal review", actor=None, now=EARLIER)
    return str(found.pk)


def _agreement() -> str:
    made = create_agreement(
        person(account(), "ada"), scope=["case_study"], benefits="", starts_on=EARLIER.date(),
        ends_on=None, signed_on=None, status=AgreementStatus.DRAFT, actor=None, now=EARLIER,
    )  # fmt: skip
    return str(made.pk)


def _filed() -> str:
    return str(json.loads(run(*FILE, "--as", "member", "--json"))["id"])


def _reassign() -> tuple[str, ...]:
    study = _ask()
    person(Contact.objects.get().account, "bob")
    return ("asks", "reassign", study, "bob@acme.example")


CASES = [
    Case("asks move", lambda: ("asks", "move", _ask(), "accepted"), _last_event_at),
    Case("asks decline", lambda: ("asks", "decline", _ask()), _last_event_at),
    Case("asks assign", lambda: ("asks", "assign", _ask(), "member"), _last_event_at),
    Case(
        "asks pause",
        lambda: ("asks", "pause", _ask(), "--reason", "legal review"),
        lambda: Ask.objects.get().paused_at,
    ),
    Case("asks resume", lambda: ("asks", "resume", _paused()), _last_event_at),
    Case("asks reassign", _reassign, lambda: Ask.objects.latest("id").opened_at),
    Case(
        "agreements opt-out",
        lambda: ("agreements", "opt-out", person(account(), "ada").email),
        lambda: Contact.objects.get().opted_out_at,
    ),
    Case(
        "agreements create",
        lambda: ("agreements", "create", person(account(), "ada").email, "--scope", "case_study"),
        lambda: Agreement.objects.get().created_at,
    ),
    Case(
        "agreements update",
        lambda: ("agreements", "update", _agreement(), "--benefits", "swag"),
        lambda: Agreement.objects.get().updated_at,
    ),
    Case(
        "agreements end",
        lambda: ("agreements", "end", _agreement()),
        lambda: Agreement.objects.get().ended_at,
    ),
    Case(
        "content create",
        lambda: (
            "content",
            "create",
            "--kind",
            "quote",
            "--title",
            "Ada",
            "--contact",
            advocate().email,
        ),
        lambda: AssetEvent.objects.get().at,
    ),
    Case(
        "content move",
        lambda: ("content", "move", str(case_study().pk), "advocate_review"),
        lambda: AssetEvent.objects.latest("id").at,
    ),
    Case(
        "content consent",
        lambda: (
            "content",
            "consent",
            str(asset_in("approved", scopes=[]).pk),
            "--scopes",
            "quote",
            "--until",
            "2027-06-01",
        ),
        lambda: Consent.objects.latest("id").recorded_at,
    ),
    Case(
        "content use",
        lambda: ("content", "use", str(asset_in("approved").pk), "website"),
        lambda: AssetUse.objects.get().at,
    ),
    Case(
        "references file",
        lambda: (*FILE, "--as", "member"),
        lambda: ReferenceRequest.objects.get().filed_at,
    ),
    Case(
        "references close",
        lambda: ("references", "close", _filed(), "cancelled", "--as", "member"),
        lambda: ReferenceRequest.objects.get().closed_at,
    ),
    Case(
        "routing add",
        lambda: ("routing", "add", "--name", "big ones", "--role", "cs"),
        lambda: RoutingRule.objects.get().created_at,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_command_records_the_moment_given_as_of(member: object, case: Case) -> None:
    run(*case.args(), "--as-of", WHEN.isoformat())
    assert case.recorded() == WHEN


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_without_as_of_a_command_records_now(member: object, case: Case) -> None:
    run(*case.args())
    assert case.recorded() == NOW


def test_an_agreement_starts_on_the_day_of_as_of_by_default() -> None:
    run("agreements", "create", person(account(), "ada").email, "--scope", "case_study",
        "--as-of", "2026-05-03")  # fmt: skip
    assert Agreement.objects.get().starts_on == dt.date(2026, 5, 3)


def test_the_report_s_relative_periods_end_at_as_of() -> None:
    report = json.loads(
        run("report", "--period", "90d", "--format", "json", "--as-of", "2026-03-31T00:00:00Z")
    )
    period = report["period"]
    assert (period["start"][:10], period["end"][:10]) == ("2025-12-31", "2026-03-31")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            "2026-06-01T12:06:00Z",
            "--as-of: 2026-06-01T12:06:00+00:00 is in the future (at most 5 minutes ahead of now)",
        ),
        ("1969-12-31T00:00:00Z", "--as-of: expected a moment from 1970 to 2099"),
        ("soon", "--as-of: expected a date"),
    ],
)
def test_a_moment_ahead_of_the_clock_or_out_of_range_is_refused(given: str, message: str) -> None:
    study = _ask()
    with pytest.raises(CommandError, match=re.escape(message)):
        run("asks", "move", study, "accepted", "--as-of", given)
    assert AskEvent.objects.filter(ask_id=study).count() == 1
    run("asks", "move", study, "accepted", "--as-of", "2026-06-01T12:04:00Z")
    assert _last_event_at() == NOW + dt.timedelta(minutes=4)
