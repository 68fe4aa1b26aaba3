"""Outgoing webhooks beside the task worker: a thread that sends the deliveries due, every
ADVOCACY_OUTBOX_POLL_SECONDS, for as long as `advocacy worker` runs (started by the worker
command, like the outbox's loop).

Errors (a locked SQLite file, a lost database connection) are logged and tried again at the
next beat; a delivery in hand is never lost by one, only delayed to its lease's end.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone

from advocacy.integrations.webhooks.delivery import deliver_due

logger = logging.getLogger(__name__)


class WebhookLoop(threading.Thread):
    def __init__(self, worker_id: str, *, every: float | None = None) -> None:
        super().__init__(name=f"webhooks-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.every = float(every if every is not None else settings.OUTBOX_POLL_SECONDS)
        self._halt = threading.Event()
        self.delivered = 0

    def run(self) -> None:
        try:
            while not self._halt.is_set():
                self.beat()
                self._halt.wait(self.every)
        finally:
            connections.close_all()  # this thread's own connections

    def beat(self) -> None:
        close_old_connections()
        try:
            sent = deliver_due(timezone.now(), self.worker_id)
        except DatabaseError:
            logger.warning("could not send the webhooks; trying again", exc_info=True)
            return
        self.delivered += sent
        if sent:
            logger.info("webhooks: %d delivered", sent)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=120)
