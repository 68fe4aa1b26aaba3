"""`advocacy worker`: run the background task worker (django-tasks-db's `db_worker`), with
leases, and deliver the outbox.

Every option of `db_worker` works here too: `--batch` to process what is queued and exit,
`--queue-name`, `--interval`, `--max-tasks`, `--worker-id`. Before it claims anything the worker
takes back the tasks of workers that died (their lease ran out, or they had none); while it runs,
a thread renews its own lease and keeps taking back expired ones (advocacy.core.leases,
docs/operations.md).

The outbox (advocacy.messaging): with `--batch`, once the tasks are done, every message due is
delivered and the worker exits; otherwise a thread delivers what is due every
ADVOCACY_OUTBOX_POLL_SECONDS. `--no-outbox` leaves the outbox to other workers. Outgoing
webhooks (advocacy.integrations.webhooks) go the same way, by a thread of their own: with
`--batch`, what is due is sent before the worker exits.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from advocacy.core.leases import LeaseKeeper, reclaim, report
from advocacy.integrations.webhooks import delivery as webhooks
from advocacy.integrations.webhooks.loop import WebhookLoop
from advocacy.messaging.delivery import deliver_due
from advocacy.messaging.loop import DeliveryLoop


class Command(DbWorkerCommand):
    help = "Run the background task worker (queued tasks from the database) and the outbox."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-outbox",
            action="store_true",
            help="Do not deliver the outbox's messages (another worker does).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"]
        outbox = not options.pop("no_outbox", False)
        report(reclaim(now=timezone.now(), keep_worker=worker_id, orphans=True))
        keeper = LeaseKeeper(worker_id)
        keeper.start()
        loop = DeliveryLoop(worker_id) if outbox and not options["batch"] else None
        hooks = WebhookLoop(worker_id) if outbox and not options["batch"] else None
        for thread in (loop, hooks):
            if thread is not None:
                thread.start()
        try:
            super().handle(*args, **options)
            if outbox and options["batch"]:
                delivered = deliver_due(worker_id=worker_id)
                if delivered.batches:
                    self.stdout.write(f"outbox: {delivered}")
                sent = webhooks.deliver_due(timezone.now(), worker_id)
                if sent:
                    self.stdout.write(f"webhooks: {sent} delivered")
        finally:
            for thread in (loop, hooks):
                if thread is not None:
                    thread.stop()
            keeper.stop()
