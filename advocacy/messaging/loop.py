"""The outbox's delivery beside the task worker: a thread that delivers what is due, every
ADVOCACY_OUTBOX_POLL_SECONDS, for as long as `advocacy worker` runs.

Errors (a locked SQLite file, a lost database connection) are logged and tried again at the
next beat; a message in hand is never lost by one, only delayed to its lease's end.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections

from advocacy.messaging.delivery import DeliveryReport, deliver_due

logger = logging.getLogger(__name__)
REMINDERS_EVERY = 60.0  # seconds between two looks for reminders that fell due


class DeliveryLoop(threading.Thread):
    def __init__(self, worker_id: str, *, every: float | None = None) -> None:
        super().__init__(name=f"outbox-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.every = float(every if every is not None else settings.OUTBOX_POLL_SECONDS)
        self._halt = threading.Event()
        self._reminded = 0.0
        self.total = DeliveryReport()

    def run(self) -> None:
        try:
            while not self._halt.is_set():
                self.beat()
                self._halt.wait(self.every)
        finally:
            connections.close_all()  # this thread's own connections

    def beat(self) -> None:
        close_old_connections()
        reminders = time.monotonic() - self._reminded >= REMINDERS_EVERY
        try:
            report = deliver_due(worker_id=self.worker_id, reminders=reminders)
        except DatabaseError:
            logger.warning("could not deliver the outbox; trying again", exc_info=True)
            return
        if reminders:
            self._reminded = time.monotonic()
        self.total.add(report)
        if report.batches:
            logger.info("outbox: %s", report)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=120)
