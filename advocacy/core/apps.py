from datetime import timedelta

from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save, pre_migrate


class CoreConfig(AppConfig):
    name = "advocacy.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django_tasks_db.models import DBTaskResult

        from advocacy.core.leases import record_claim
        from advocacy.core.maintenance import analyze_after_migrate, sort_in_files_while_migrating
        from advocacy.core.scheduler import Job, register
        from advocacy.core.tasks import analyze_database

        pre_migrate.connect(sort_in_files_while_migrating, sender=self, dispatch_uid="core-sort")
        post_migrate.connect(analyze_after_migrate, sender=self, dispatch_uid="core-analyze")
        post_save.connect(record_claim, sender=DBTaskResult, dispatch_uid="core-task-lease")
        register(
            Job(
                "analyze-database",
                timedelta(days=1),
                analyze_database.enqueue,
                "Refresh the database's planner statistics as the tables grow.",
            )
        )
