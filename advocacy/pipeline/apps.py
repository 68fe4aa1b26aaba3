from datetime import timedelta

from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "advocacy.pipeline"
    label = "pipeline"

    def ready(self) -> None:
        from advocacy.core.scheduler import Job, register
        from advocacy.pipeline.tasks import escalate_overdue_asks

        register(
            Job(
                "escalate-overdue-asks",
                timedelta(hours=1),
                escalate_overdue_asks.enqueue,
                "Escalate open asks overdue past ADVOCACY_ESCALATION_GRACE_HOURS to their lead.",
            )
        )
