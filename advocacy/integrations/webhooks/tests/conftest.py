from __future__ import annotations

from collections.abc import Iterator

import pytest

from advocacy.integrations.webhooks.tests.receiver import Receiver, serve


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from serve()
