from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advocacy.customers.models import Account, Contact
from advocacy.engine.evaluation import evaluate_play, in_holdout, run_plays
from advocacy.engine.models import Decision, Outcome, Play
from advocacy.engine.plays import load_playbook
from advocacy.pipeline.models import Ask
from advocacy.signals.models import Signal

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def playbook():
    load_playbook(now=NOW)
    return Play.objects.get(name="nps-promoter-review")


def csm():
    from advocacy.people.models import User

    return User.objects.get_or_create(username="csm", defaults={"role": "cs"})[0]


def promoters(n, *, account=None, nps=10, active=True, start=0, health=80):
    """`n` promoters of one account that meets the program's gate: a CSM owns it, its health
    is good, it has been a customer long enough; each answered NPS and was active lately."""
    if account is None:
        account = Account.objects.create(
            name=f"Acme {start}",
            domain=f"acme{start}.example",
            customer_since=date(2024, 1, 1),
            owner=csm(),
        )
        Signal.objects.create(
            source="t",
            key=f"health-{account.pk}",
            kind="health_score",
            account=account,
            occurred_at=NOW - timedelta(days=3),
            value=health,
        )
    contacts = Contact.objects.bulk_create(
        [Contact(account=account, email=f"p{start + i}@acme.example") for i in range(n)]
    )
    signals = []
    for c in contacts:
        signals.append(
            Signal(
                source="t",
                key=f"nps-{c.pk}",
                kind="nps",
                account=account,
                contact=c,
                occurred_at=NOW - timedelta(hours=5),
                value=nps,
            )
        )
        if active:
            signals.append(
                Signal(
                    source="t",
                    key=f"act-{c.pk}",
                    kind="activity",
                    account=account,
                    contact=c,
                    occurred_at=NOW - timedelta(days=2),
                )
            )
    Signal.objects.bulk_create(signals)
    return contacts


def test_a_promoter_is_asked_once_and_a_rerun_changes_nothing(playbook):
    contacts = promoters(40)
    run = evaluate_play(playbook, now=NOW)
    held = sum(in_holdout(playbook.name, c.pk, 0.1) for c in contacts)
    assert run.considered == 40
    assert run.outcomes[Outcome.ASKED] == 40 - held
    assert run.outcomes[Outcome.HELD_OUT] == held
    assert Ask.objects.count() == 40 - held
    ask = Ask.objects.first()
    assert (ask.status, ask.owner_role, ask.channel) == ("queued", "marketing", "email")
    assert ask.due_at == NOW + timedelta(days=7)
    # It must go out within 48 hours of the NPS answer (five hours ago); the answer is due later.
    assert ask.send_by == NOW - timedelta(hours=5) + timedelta(hours=48)
    again = evaluate_play(playbook, now=NOW + timedelta(hours=1))
    assert again.considered == 0
    assert Ask.objects.count() == 40 - held
    assert Decision.objects.count() == 40


def test_exclusions_and_audience_are_recorded_with_reasons(playbook):
    (opted,) = promoters(1, start=100)
    Contact.objects.filter(pk=opted.pk).update(opted_out_at=NOW - timedelta(days=1))
    (idle,) = promoters(1, start=200, active=False)
    (ticket,) = promoters(1, start=300)
    Signal.objects.create(
        source="t",
        key="tk",
        kind="ticket_opened",
        account=ticket.account,
        occurred_at=NOW - timedelta(days=3),
    )
    evaluate_play(playbook, now=NOW)
    got = {d.contact_id: (d.outcome, d.code, d.reasons) for d in Decision.objects.all()}
    assert got[opted.pk] == (
        Outcome.BLOCKED_EXCLUSION,
        "excluded_opted_out",
        ["excluded: opted out"],
    )
    assert got[idle.pk] == (
        Outcome.NOT_IN_AUDIENCE,
        "not_in_audience",
        ["not in the play's audience"],
    )
    # The first rule that blocks is recorded (rules are checked in order, and stop there).
    assert got[ticket.pk] == (
        Outcome.BLOCKED_EXCLUSION,
        "excluded_open_ticket",
        ["excluded: an unresolved support issue"],
    )


def test_caps_block_a_second_play_of_the_same_effort(playbook):
    contacts = promoters(30, start=400)
    c = next(c for c in contacts if not in_holdout("nps-promoter-review", c.pk, 0.1))
    Contact.objects.filter(pk=c.pk).update(persona="admin")
    evaluate_play(playbook, now=NOW)
    Ask.objects.update(status="completed")  # the review was written: no open ask remains
    Signal.objects.create(
        source="t",
        key="ms",
        kind="usage_milestone",
        account=c.account,
        occurred_at=NOW + timedelta(days=1),
    )
    runs = run_plays(now=NOW + timedelta(days=1, hours=1), names=["milestone-review"])
    decision = Decision.objects.get(play__name="milestone-review", contact=c)
    assert runs[0].considered == 30
    # Capped before any draw for the control group: a holdout holds only those who would have
    # been asked, or lift would count the capped as if the play had spared them.
    assert (decision.outcome, decision.code, decision.reasons) == (
        Outcome.BLOCKED_CAP,
        "cap_low_effort",
        ["tap cap: one ask of low effort or higher per 30 days"],
    )


def test_one_contact_and_a_thousand_cost_the_same_number_of_queries(playbook):
    promoters(1, start=0)
    with CaptureQueriesContext(connection) as one:
        evaluate_play(playbook, now=NOW)
    Decision.objects.all().delete()
    Ask.objects.all().delete()
    promoters(1000, start=5000)
    with CaptureQueriesContext(connection) as many:
        run = evaluate_play(playbook, now=NOW)
    assert run.considered == 1001
    shapes = [[q["sql"][:60] for q in c.captured_queries] for c in (one, many)]
    assert len(many.captured_queries) == len(one.captured_queries), shapes


def test_the_periodic_task_refreshes_profiles_and_runs_plays_incrementally(playbook, settings):
    from advocacy.engine.models import ContactProfile
    from advocacy.engine.tasks import evaluate_plays

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    promoters(3, start=900)
    import time_machine

    with time_machine.travel(NOW, tick=False):
        result = evaluate_plays.enqueue().return_value
    nps = next(p for p in result["plays"] if p["play"] == "nps-promoter-review")
    assert nps["considered"] == 3
    assert result["profiles"] == 3
    assert ContactProfile.objects.count() == 3
    with time_machine.travel(NOW + timedelta(minutes=15), tick=False):
        again = evaluate_plays.enqueue().return_value
    assert [p["considered"] for p in again["plays"]] == [0] * len(again["plays"])
