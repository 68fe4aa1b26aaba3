"""Two people acting on the same asset at the same moment, on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from advocacy.content.models import Asset, AssetEvent, AssetUse
from advocacy.content.services import InvalidAssetTransition, UseRefused, move_asset, record_use
from advocacy.content.tests.conftest import NOW, asset_in


def race(*actions: Callable[[], str]) -> list[str]:
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action: Callable[[], str]) -> None:
        barrier.wait()
        try:
            outcomes.append(action())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_moves_from_the_same_state_have_one_winner(postgres_only: None) -> None:
    asset = asset_in("approved")

    def mover(target: str) -> Callable[[], str]:
        # Both movers saw the asset approved before either moved: read here, not in the thread,
        # or the second could read after the first committed and make a move legal from there.
        mine: Any = Asset.objects.get(pk=asset.pk)

        def act() -> str:
            try:
                move_asset(mine, target, actor=None, now=NOW)
            except InvalidAssetTransition:
                return "refused"
            return f"moved to {target}"

        return act

    outcomes = race(mover("published"), mover("revoked"))
    final = Asset.objects.get(pk=asset.pk).status
    assert sorted(outcomes) == sorted([f"moved to {final}", "refused"])
    moves = AssetEvent.objects.filter(asset=asset).exclude(from_status="")
    assert list(moves.values_list("from_status", "to_status")) == [("approved", final)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_use_racing_a_revoke_is_recorded_only_if_it_came_first(postgres_only: None) -> None:
    asset = asset_in("published")

    def use() -> str:
        try:
            record_use(Asset.objects.get(pk=asset.pk), "website", actor=None, now=NOW)
        except UseRefused:
            return "use refused"
        return "use recorded"

    def revoke() -> str:
        move_asset(Asset.objects.get(pk=asset.pk), "revoked", actor=None, now=NOW)
        return "revoked"

    outcomes = race(use, revoke)
    recorded = AssetUse.objects.get(asset=asset)
    assert "revoked" in outcomes
    assert f"use {recorded.outcome}" in outcomes
    if recorded.outcome == "refused":
        assert recorded.reason == "it is revoked, not approved or published"
