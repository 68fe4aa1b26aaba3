"""`advocacy worker`: run the background task worker (django-tasks-db's `db_worker`), with leases.

Every option of `db_worker` works here too: `--batch` to process what is queued and exit,
`--queue-name`, `--interval`, `--max-tasks`, `--worker-id`. Before it claims anything the worker
takes back the tasks of workers that died (their lease ran out, or they had none); while it runs,
a thread renews its own lease and keeps taking back expired ones (advocacy.core.leases,
docs/operations.md).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from advocacy.core.leases import LeaseKeeper, reclaim, report


class Command(DbWorkerCommand):
    help = "Run the background task worker (claims queued tasks from the database)."

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"]
        report(reclaim(now=timezone.now(), keep_worker=worker_id, orphans=True))
        keeper = LeaseKeeper(worker_id)
        keeper.start()
        try:
            super().handle(*args, **options)
        finally:
            keeper.stop()
