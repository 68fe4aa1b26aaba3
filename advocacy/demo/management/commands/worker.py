"""`advocacy worker`: run the background task worker (django-tasks-db's `db_worker`).

Every option of `db_worker` works here too: `--batch` to process what is queued and exit,
`--queue-name`, `--interval`, `--max-tasks`, `--worker-id`.
"""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Run the background task worker (claims queued tasks from the database)."
