"""Channels other than email that deliver team notices: a small registry.

The outbox (advocacy.messaging) emails notices; a connector above the pipeline (Slack, in
advocacy.integrations.slack) delivers them its own way. The two are siblings and must not
import each other, so a connector registers its delivery here in its AppConfig.ready(), and
the worker's delivery pass (`messaging.delivery.deliver_due`) calls every one after its email.

A channel MUST be set-based, MUST record its own attempts and deliver at least once (a notice
is never lost by a crash), MUST NOT raise for a failure of its service (it records it and
retries), and SHOULD return at once, without a query to its service, when it is not set up.
It returns how many notices it delivered.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

# (now, the worker's id) -> how many delivered
NoticeChannel = Callable[[datetime, str], int]

CHANNELS: dict[str, NoticeChannel] = {}


def register(name: str, channel: NoticeChannel) -> None:
    CHANNELS[name] = channel


def deliver(now: datetime, worker_id: str) -> dict[str, int]:
    """Run every registered channel once; how many each delivered."""
    return {name: channel(now, worker_id) for name, channel in CHANNELS.items()}
