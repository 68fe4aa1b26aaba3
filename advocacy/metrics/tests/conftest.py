from __future__ import annotations

import pytest

from advocacy.metrics.tests.world import World, build


@pytest.fixture
def world(db: None) -> World:
    return build()
