from datetime import timedelta

from django.apps import AppConfig


class EngineConfig(AppConfig):
    name = "advocacy.engine"
    label = "engine"

    def ready(self) -> None:
        from advocacy.core.scheduler import Job, register
        from advocacy.engine.jobs import register as register_jobs
        from advocacy.engine.tasks import evaluate_plays

        register_jobs()
        register(
            Job(
                "evaluate-plays",
                timedelta(minutes=15),
                evaluate_plays.enqueue,
                "Refresh changed profiles and run the plays on new signals.",
            )
        )
