"""A pause racing a move, or another pause: the database decides, nothing is done twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from advocacy.pipeline.catalogue import load_catalogue, read_catalogue
from advocacy.pipeline.models import Ask, AskEvent, AskStatus
from advocacy.pipeline.pausing import pause_asks
from advocacy.pipeline.services import AskPaused, advance_ask
from advocacy.pipeline.tests.test_transitions import NOW, make_ask


def race(*jobs: Callable[[], str]) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def run(job: Callable[[], str]) -> None:
        barrier.wait()
        try:
            outcomes.append(job())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_guard_runs_pause_each_ask_once(postgres_only: None) -> None:
    load_catalogue(read_catalogue())
    asks = [make_ask(AskStatus.SENT) for _ in range(20)]
    ids = [a.pk for a in asks]

    def pauser() -> str:
        return str(len(pause_asks(Ask.objects.filter(pk__in=ids), "left", by="left", now=NOW)))

    outcomes = race(pauser, pauser)
    assert sum(int(n) for n in outcomes) == 20
    assert AskEvent.objects.filter(ask_id__in=ids, note="paused: left").count() == 20


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_pause_racing_a_move_leaves_a_paused_ask_and_a_true_history(
    postgres_only: None,
) -> None:
    load_catalogue(read_catalogue())
    ask = make_ask(AskStatus.SENT)

    def mover() -> str:
        mine: Any = Ask.objects.get(pk=ask.pk)
        try:
            advance_ask(mine, AskStatus.ACCEPTED, actor=None, now=NOW)
        except AskPaused:
            return "move refused"
        return "moved"

    def pauser() -> str:
        return f"paused {len(pause_asks(Ask.objects.filter(pk=ask.pk), 'x', now=NOW))}"

    outcomes = race(mover, pauser)
    row = Ask.objects.get(pk=ask.pk)
    events = list(
        AskEvent.objects.filter(ask=ask).order_by("id").values_list("from_status", "to_status")
    )
    assert row.paused_at is not None
    if outcomes == ["moved", "paused 1"]:
        assert (row.status, events) == (
            "accepted",
            [("sent", "accepted"), ("accepted", "accepted")],
        )
    else:
        assert outcomes == ["move refused", "paused 1"]
        assert (row.status, events) == ("sent", [("sent", "sent")])
