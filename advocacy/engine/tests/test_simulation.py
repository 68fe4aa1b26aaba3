import json
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from advocacy.customers.models import Account, Contact
from advocacy.engine.models import Decision, TapClaim
from advocacy.engine.plays import load_playbook
from advocacy.engine.simulation import simulate
from advocacy.pipeline.models import Ask
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday


@pytest.fixture
def history(member):
    load_playbook(now=START)
    account = Account.objects.create(
        name="Acme", domain="acme.example", customer_since=date(2024, 1, 1), owner=member
    )
    Signal.objects.create(
        source="t",
        key="health",
        kind="health_score",
        account=account,
        occurred_at=START - timedelta(days=7),
        value=85,
    )
    contacts = Contact.objects.bulk_create(
        [Contact(account=account, email=f"p{i}@acme.example") for i in range(20)]
    )
    for i, c in enumerate(contacts):
        day = START + timedelta(days=i % 14, hours=10)
        Signal.objects.create(
            source="t",
            key=f"n{i}",
            kind="nps",
            account=account,
            contact=c,
            occurred_at=day,
            value=10,
        )
        Signal.objects.create(
            source="t",
            key=f"a{i}",
            kind="activity",
            account=account,
            contact=c,
            occurred_at=day - timedelta(days=1),
        )
    return contacts


def test_simulation_reports_weeks_and_writes_nothing(history):
    result = simulate(START, START + timedelta(days=20), names=["nps-promoter-review"])
    totals = result.totals()
    assert [w.starts.date().isoformat() for w in result.weeks] == [
        "2026-03-02",
        "2026-03-09",
        "2026-03-16",
    ]
    assert totals["asked"] + totals["held_out"] == 20
    last = result.weeks[2].outcomes  # the day-13 answer is seen at the next midnight tick
    assert last["asked"] + last["held_out"] == 1
    assert (Ask.objects.count(), Decision.objects.count(), TapClaim.objects.count()) == (0, 0, 0)


def test_simulate_command_prints_json(history):
    out = StringIO()
    call_command(
        "simulate",
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-22",
        "--play",
        "nps-promoter-review",
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["totals"]["asked"] + data["totals"]["held_out"] == 20
    assert len(data["weeks"]) == 3


def test_run_and_explain_commands(history):
    out = StringIO()
    call_command("run", "--as-of", "2026-03-03T12:00", "--json", stdout=out)
    data = json.loads(out.getvalue())
    nps = next(p for p in data["plays"] if p["play"] == "nps-promoter-review")
    assert nps["considered"] == 4  # answers of days 0 and 1, two contacts each
    out = StringIO()
    call_command("explain", "p0@acme.example", "--as-of", "2026-03-03", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["email"] == "p0@acme.example"
    assert len(data["options"]) == 11  # every active ask type, the anonymous quote among them


def test_catch_up_leaves_what_the_plays_would_have_done(history):
    out = StringIO()
    call_command(
        "run",
        "--since",
        "2026-03-02",
        "--as-of",
        "2026-03-22",
        "--play",
        "nps-promoter-review",
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    (nps,) = data["plays"]
    assert nps["asked"] + nps["held_out"] == 20
    assert Ask.objects.count() == nps["asked"]
    assert Decision.objects.count() == 20


def test_a_bare_end_date_includes_the_whole_day():
    from advocacy.engine.clock import parse_moment

    assert parse_moment("2026-03-31", end_of_day=True) == datetime(
        2026, 3, 31, 23, 59, 59, tzinfo=UTC
    )
    assert parse_moment("2026-03-31") == datetime(2026, 3, 31, tzinfo=UTC)
    assert parse_moment("2026-03-31T14:00") == datetime(2026, 3, 31, 14, tzinfo=UTC)
    with pytest.raises(ValueError, match="expected a date"):
        parse_moment("yesterday")
