"""The guard job pauses, resumes and cancels exactly the right open asks, set-based."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advocacy.customers.models import Contact
from advocacy.engine.guards import DISSATISFIED, LEFT, SUPPORT, run_guards
from advocacy.engine.plays import load_playbook
from advocacy.engine.policy import DEFAULT_POLICY
from advocacy.engine.tests.guard_world import NOW, account, ask, person, signal
from advocacy.pipeline.agreement_services import create_agreement
from advocacy.pipeline.models import Ask, AskEvent
from advocacy.pipeline.pausing import pause_ask

pytestmark = pytest.mark.django_db
P = DEFAULT_POLICY
LATER = NOW + dt.timedelta(days=2)


@pytest.fixture(autouse=True)
def _plays() -> None:
    load_playbook(now=NOW)


def state(*asks: Ask) -> list[tuple[str, str, str]]:
    rows = {a.pk: a for a in Ask.objects.filter(pk__in=[a.pk for a in asks])}
    return [(rows[a.pk].status, rows[a.pk].paused_by, rows[a.pk].paused_reason) for a in asks]


def notes(a: Ask) -> list[str]:
    return list(AskEvent.objects.filter(ask=a).order_by("id").values_list("note", flat=True))


def test_leaving_pauses_only_the_leavers_open_asks_and_a_rerun_changes_nothing() -> None:
    acme = account()
    ada, bob = person(acme, "ada"), person(acme, "bob")
    study, quote = ask(ada, "case_study"), ask(ada, "testimonial_quote", status="accepted")
    done = ask(ada, "reference_call", status="completed")
    other = ask(bob, "case_study")
    Contact.objects.filter(pk=ada.pk).update(left_company_at=NOW - dt.timedelta(hours=3))

    report = run_guards(now=NOW, policy=P)

    assert report.paused == {LEFT: [study.pk, quote.pk], SUPPORT: [], DISSATISFIED: []}
    reason = "the advocate left the company"
    assert state(study, quote, done, other) == [
        ("sent", LEFT, reason),
        ("accepted", LEFT, reason),
        ("completed", "", ""),
        ("sent", "", ""),
    ]
    assert notes(study) == ["opened by hand", f"paused: {reason}"]
    event = AskEvent.objects.filter(ask=study).last()
    assert (event.from_status, event.to_status, event.at, event.actor) == (
        "sent",
        "sent",
        NOW,
        None,
    )
    again = run_guards(now=LATER, policy=P)
    assert again.paused == {LEFT: [], SUPPORT: [], DISSATISFIED: []}
    assert again.resumed == {LEFT: [], SUPPORT: [], DISSATISFIED: []}
    assert AskEvent.objects.count() == 6


def test_a_leaver_from_the_future_is_not_paused_yet() -> None:
    acme = account()
    ada = person(acme, "ada")
    study = ask(ada)
    Contact.objects.filter(pk=ada.pk).update(left_company_at=LATER)
    assert run_guards(now=NOW, policy=P).paused[LEFT] == []
    assert run_guards(now=LATER, policy=P).paused[LEFT] == [study.pk]


def test_a_support_issue_pauses_the_accounts_asks_until_the_tickets_close() -> None:
    acme, other = account(), account("Globex")
    ada, bob, cy = person(acme, "ada"), person(acme, "bob"), person(other, "cy")
    a, b, c = ask(ada), ask(bob, "review"), ask(cy)
    manual = ask(bob, "reference_call")
    pause_ask(manual, "waiting for the AE", actor=None, now=NOW - dt.timedelta(days=1))
    signal(acme, "ticket_opened", at=NOW - dt.timedelta(hours=1))

    report = run_guards(now=NOW, policy=P)
    assert report.paused[SUPPORT] == [a.pk, b.pk]
    assert state(a, b, c, manual) == [
        ("sent", SUPPORT, "unresolved support issue"),
        ("sent", SUPPORT, "unresolved support issue"),
        ("sent", "", ""),
        ("sent", "", "waiting for the AE"),
    ]
    signal(acme, "ticket_closed", at=NOW + dt.timedelta(days=1))
    report = run_guards(now=LATER, policy=P)
    assert report.resumed[SUPPORT] == [a.pk, b.pk]
    assert report.paused == {LEFT: [], SUPPORT: [], DISSATISFIED: []}
    assert state(a, b, manual) == [
        ("sent", "", ""),
        ("sent", "", ""),
        ("sent", "", "waiting for the AE"),
    ]
    assert notes(a)[-2:] == [
        "paused: unresolved support issue",
        "resumed: support issue resolved (tickets closed)",
    ]


def test_a_health_drop_pauses_and_recovery_resumes() -> None:
    acme = account()
    ada = person(acme, "ada")
    a = ask(ada)
    signal(acme, "health_score", value=80, at=NOW - dt.timedelta(days=30))
    assert run_guards(now=NOW, policy=P).paused[DISSATISFIED] == []
    signal(acme, "health_score", value=42, at=NOW - dt.timedelta(hours=2))
    assert run_guards(now=NOW, policy=P).paused[DISSATISFIED] == [a.pk]
    assert state(a) == [("sent", DISSATISFIED, "dissatisfied: health below 50 or NPS 6 or lower")]
    signal(acme, "health_score", value=75, at=NOW + dt.timedelta(days=1))
    report = run_guards(now=LATER, policy=P)
    assert (report.resumed[DISSATISFIED], state(a)) == ([a.pk], [("sent", "", "")])


def test_when_one_guard_lets_go_another_that_still_holds_gives_its_reason() -> None:
    acme = account()
    a = ask(person(acme, "ada"))
    signal(acme, "ticket_opened", at=NOW - dt.timedelta(days=3))
    signal(acme, "health_score", value=30, at=NOW - dt.timedelta(days=3))
    run_guards(now=NOW, policy=P)
    assert state(a)[0][1] == SUPPORT
    signal(acme, "ticket_closed", at=NOW + dt.timedelta(hours=1))
    report = run_guards(now=LATER, policy=P)
    assert (report.resumed[SUPPORT], report.paused[DISSATISFIED]) == ([a.pk], [a.pk])
    assert state(a)[0][1] == DISSATISFIED


def test_an_imported_opt_out_cancels_every_open_ask_and_ends_the_agreement(member: Any) -> None:
    acme = account()
    ada, bob = person(acme, "ada"), person(acme, "bob")
    a1, a2, b1 = ask(ada), ask(ada, "review", status="proposed"), ask(bob)
    pause_ask(a2, "holiday", actor=None, now=NOW - dt.timedelta(days=1))
    agreement = create_agreement(
        ada,
        scope=["case_study"],
        starts_on=dt.date(2026, 1, 1),
        signed_on=dt.date(2026, 1, 1),
        status="active",
        actor=member,
        now=NOW - dt.timedelta(days=100),
    )
    Contact.objects.filter(pk=ada.pk).update(opted_out_at=NOW - dt.timedelta(hours=1))

    report = run_guards(now=NOW, policy=P)

    assert (report.cancelled, report.agreements_ended) == ([a1.pk, a2.pk], 1)
    assert state(a1, a2, b1) == [("cancelled", "", ""), ("cancelled", "", ""), ("sent", "", "")]
    assert notes(a2)[-1] == "opted out"
    agreement.refresh_from_db()
    assert (agreement.status, agreement.ended_at) == ("opted_out", NOW)


def test_an_opt_out_signal_is_recorded_on_the_contact_and_cancels_asks() -> None:
    acme = account()
    ada = person(acme, "ada")
    a = ask(ada)
    signal(acme, "opt_out", contact=ada, at=NOW - dt.timedelta(hours=5))
    signal(acme, "opt_out", contact=ada, at=NOW - dt.timedelta(hours=2))
    signal(acme, "opt_out", contact=ada, at=LATER)  # not yet arrived as of NOW

    report = run_guards(now=NOW, policy=P)

    assert (report.opt_outs_recorded, report.cancelled) == (1, [a.pk])
    ada.refresh_from_db()
    assert ada.opted_out_at == NOW - dt.timedelta(hours=5)
    assert run_guards(now=LATER, policy=P).opt_outs_recorded == 0


def _world(n: int, start: int) -> None:
    acme = account(f"Acme{start}")
    signal(acme, "ticket_opened", at=NOW - dt.timedelta(hours=1))
    left = account(f"Left{start}")
    gone = account(f"Gone{start}")
    for i in range(n):
        ask(person(acme, f"t{start + i}"))
        leaver = person(left, f"l{start + i}")
        ask(leaver)
        Contact.objects.filter(pk=leaver.pk).update(left_company_at=NOW - dt.timedelta(days=1))
        quitter = person(gone, f"q{start + i}")
        ask(quitter)
        Contact.objects.filter(pk=quitter.pk).update(opted_out_at=NOW - dt.timedelta(days=1))


def test_the_query_count_does_not_depend_on_the_number_of_asks(
    django_assert_max_num_queries: Any,
) -> None:
    _world(1, 0)
    with CaptureQueriesContext(connection) as one:
        first = run_guards(now=NOW, policy=P)
    assert (len(first.paused[SUPPORT]), len(first.paused[LEFT]), len(first.cancelled)) == (1, 1, 1)
    _world(25, 100)
    with django_assert_max_num_queries(len(one.captured_queries)):
        many = run_guards(now=NOW, policy=P)
    assert (len(many.paused[SUPPORT]), len(many.paused[LEFT]), len(many.cancelled)) == (25, 25, 25)


def test_the_periodic_engine_task_applies_the_guards(settings: Any) -> None:
    import time_machine

    from advocacy.engine.tasks import evaluate_plays

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ada = person(account(), "ada")
    study = ask(ada)
    Contact.objects.filter(pk=ada.pk).update(left_company_at=NOW - dt.timedelta(hours=1))
    with time_machine.travel(NOW, tick=False):
        result = evaluate_plays.enqueue().return_value
    assert result["guards"]["paused"][LEFT] == [study.pk]
    assert state(study) == [("sent", LEFT, "the advocate left the company")]
