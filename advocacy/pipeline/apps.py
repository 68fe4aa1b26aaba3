from datetime import timedelta

from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "advocacy.pipeline"
    label = "pipeline"

    def ready(self) -> None:
        from advocacy.core import labels
        from advocacy.core.scheduler import Job, register
        from advocacy.pipeline.models import AskStatus
        from advocacy.pipeline.tasks import escalate_overdue_asks

        labels.register("ask_status", AskStatus.choices)
        labels.register(
            "channel", [("csm", "By the CSM"), ("email", "Email"), ("in_app", "In the product")]
        )

        register(
            Job(
                "escalate-overdue-asks",
                timedelta(hours=1),
                escalate_overdue_asks.enqueue,
                "Escalate open asks overdue past ADVOCACY_ESCALATION_GRACE_HOURS to their lead.",
            )
        )
