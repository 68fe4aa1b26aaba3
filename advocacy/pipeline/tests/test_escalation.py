"""Escalation: overdue past the grace period goes to a lead, once, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import time_machine
from django.db import connection

from advocacy.core import scheduler
from advocacy.pipeline.catalogue import load_catalogue, read_catalogue
from advocacy.pipeline.escalation import escalate_overdue
from advocacy.pipeline.models import Ask, AskEvent, AskStatus
from advocacy.pipeline.tasks import escalate_overdue_asks
from advocacy.pipeline.tests.factories import NOW, make_ask

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def leads(settings: Any, django_user_model: Any, owner: Any) -> dict[str, Any]:
    settings.ESCALATION_LEADS = {"marketing": "mlead"}
    settings.ESCALATION_GRACE_HOURS = 24
    return {"mlead": django_user_model.objects.create_user("mlead", role="marketing")}


def overdue(hours: float, **fields: Any) -> Ask:
    return make_ask(status=AskStatus.SENT, due_at=NOW - hours * HOUR, **fields)


def test_asks_overdue_past_the_grace_period_go_to_the_lead(
    leads: dict[str, Any], owner: Any
) -> None:
    marketing = overdue(30, owner_role="marketing")
    cs = overdue(25, owner_role="cs")
    within_grace = overdue(23)
    not_due = make_ask(status=AskStatus.SENT, due_at=NOW + HOUR)
    closed = make_ask(status=AskStatus.COMPLETED, due_at=NOW - 100 * HOUR)
    result = escalate_overdue(now=NOW)
    assert result.escalated == {marketing.pk: "mlead", cs.pk: "owner"}
    stored = {a.pk: (a.escalated_at, a.escalated_to_id) for a in Ask.objects.all()}
    assert stored[marketing.pk] == (NOW, leads["mlead"].pk)
    assert stored[cs.pk] == (NOW, owner.pk)  # no lead named for cs: the first admin
    for ask in (within_grace, not_due, closed):
        assert stored[ask.pk] == (None, None)
    event = AskEvent.objects.get(ask=marketing, note__startswith="escalated")
    due = (NOW - 30 * HOUR).strftime("%Y-%m-%d %H:%M")
    assert event.note == f"escalated to mlead: overdue since {due} (grace 24 h)"
    assert (event.from_status, event.to_status) == ("sent", "sent")


def test_running_twice_escalates_once(leads: dict[str, Any]) -> None:
    ask = overdue(48)
    assert len(escalate_overdue(now=NOW).escalated) == 1
    assert escalate_overdue(now=NOW + HOUR).escalated == {}
    assert AskEvent.objects.filter(ask=ask, note__startswith="escalated").count() == 1
    assert Ask.objects.get(pk=ask.pk).escalated_at == NOW


def test_a_dry_run_changes_nothing(leads: dict[str, Any]) -> None:
    ask = overdue(48, owner_role="marketing")
    result = escalate_overdue(now=NOW, dry_run=True)
    assert result.as_dict() == {
        "dry_run": True,
        "grace_hours": 24,
        "count": 1,
        "asks": [{"id": ask.pk, "escalated_to": "mlead"}],
    }
    assert Ask.objects.get(pk=ask.pk).escalated_at is None
    assert not AskEvent.objects.filter(note__startswith="escalated").exists()


def test_the_grace_period_is_a_parameter(leads: dict[str, Any]) -> None:
    ask = overdue(2)
    assert escalate_overdue(now=NOW, hours=1).escalated == {ask.pk: "owner"}


def test_with_no_admin_the_ask_is_still_marked(settings: Any) -> None:
    settings.ESCALATION_LEADS = {}
    ask = overdue(48)
    assert escalate_overdue(now=NOW).escalated == {ask.pk: None}
    stored = Ask.objects.get(pk=ask.pk)
    assert (stored.escalated_at, stored.escalated_to_id) == (NOW, None)


def test_escalation_costs_the_same_queries_for_one_ask_and_for_many(
    leads: dict[str, Any], django_assert_num_queries: Any
) -> None:
    overdue(48, owner_role="marketing")
    overdue(48, owner_role="cs")
    # Savepoint, the asks, the leads, the admin, one UPDATE, the events, the asks' names for
    # the notices, the notices, release.
    with django_assert_num_queries(9):
        assert len(escalate_overdue(now=NOW).escalated) == 2
    for i in range(80):
        overdue(48, owner_role="marketing" if i % 2 else "cs")
    with django_assert_num_queries(9):
        assert len(escalate_overdue(now=NOW).escalated) == 80


def test_the_periodic_job_escalates_once(leads: dict[str, Any], settings: Any) -> None:
    assert scheduler.REGISTRY["escalate-overdue-asks"].every == dt.timedelta(hours=1)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ask = overdue(48)
    with time_machine.travel(NOW, tick=False):
        first = escalate_overdue_asks.enqueue().return_value
    with time_machine.travel(NOW + HOUR, tick=False):
        second = escalate_overdue_asks.enqueue().return_value
    assert (first["count"], second["count"]) == (1, 0)
    assert first["asks"] == [{"id": ask.pk, "escalated_to": "owner"}]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_jobs_at_once_escalate_once(postgres_only: None, settings: Any) -> None:
    """GIVEN overdue asks WHEN two connections escalate at the same moment THEN each ask is
    escalated by one of them, with one event."""
    load_catalogue(read_catalogue())  # an earlier flush may have emptied it
    settings.ESCALATION_LEADS = {}
    asks = [overdue(48) for _ in range(20)]
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def job() -> None:
        try:
            barrier.wait()
            counts.append(len(escalate_overdue(now=NOW).escalated))
        finally:
            connection.close()

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == [0, 20]
    events = AskEvent.objects.filter(ask__in=asks, note__startswith="escalated")
    assert events.count() == 20
