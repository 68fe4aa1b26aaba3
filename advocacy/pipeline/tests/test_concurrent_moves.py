"""Two people moving the same ask at the same moment: one wins, the other is told why."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from advocacy.pipeline.catalogue import load_catalogue, read_catalogue
from advocacy.pipeline.models import Ask, AskEvent, AskStatus
from advocacy.pipeline.services import InvalidTransition, advance_ask
from advocacy.pipeline.tests.test_transitions import NOW, make_ask


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_moves_from_the_same_state_have_one_winner(postgres_only: None) -> None:
    """GIVEN a sent ask WHEN two connections move it at once THEN one move and one refusal."""
    load_catalogue(read_catalogue())  # an earlier flush may have emptied it
    ask = make_ask(AskStatus.SENT)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def mover(target: str) -> None:
        mine: Any = Ask.objects.get(pk=ask.pk)
        barrier.wait()
        try:
            advance_ask(mine, target, actor=None, now=NOW)
            outcomes.append(f"moved to {target}")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=mover, args=(t,)) for t in ("accepted", "declined")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = Ask.objects.get(pk=ask.pk).status
    assert sorted(outcomes) == sorted([f"moved to {final}", "refused"])
    assert list(AskEvent.objects.filter(ask=ask).values_list("from_status", "to_status")) == [
        ("sent", final)
    ]
