"""The demo files a few reference requests, so a newcomer sees the desk at work."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from advocacy.demo.generator import DemoProgram, DemoSize
from advocacy.demo.reference_desk import PROSPECTS, seed_reference_desk
from advocacy.demo.services import ensure_demo_user, load_program
from advocacy.references.models import ReferenceAdvocate, ReferenceRequest

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_seeding_files_requests_once_and_carries_the_first_two_to_a_call() -> None:
    load_program(DemoProgram(DemoSize(40, 400, 6000, seed=3), now=NOW), now=NOW)
    user = ensure_demo_user()

    first = seed_reference_desk(user=user, now=NOW)
    again = seed_reference_desk(user=user, now=NOW)

    assert first["pool"] == ReferenceAdvocate.objects.count() > 0
    assert (first["requests"], again["requests"]) == (len(PROSPECTS), 0)
    assert ReferenceRequest.objects.count() == len(PROSPECTS)
    assert first["scheduled"] == 2
    statuses = sorted(ReferenceRequest.objects.values_list("status", "result"))
    assert statuses == [("open", "open")] * (len(PROSPECTS) - 2) + [
        ("scheduled", "open"),
        ("scheduled", "won"),
    ]
    assert all(r.amount for r in ReferenceRequest.objects.all())


@pytest.mark.django_db
def test_the_demo_command_reports_the_desk() -> None:
    out = StringIO()
    call_command(
        "demo", "--accounts", "3", "--contacts", "12", "--signals", "90", "--engine-days", "0",
        "--json", stdout=out,
    )  # fmt: skip
    summary = json.loads(out.getvalue())
    assert summary["references"]["requests"] == ReferenceRequest.objects.count() > 0
