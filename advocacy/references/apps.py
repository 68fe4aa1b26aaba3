from datetime import timedelta

from django.apps import AppConfig


class ReferencesConfig(AppConfig):
    name = "advocacy.references"
    label = "references"
    verbose_name = "Reference desk"

    def ready(self) -> None:
        from advocacy.core.scheduler import Job, register
        from advocacy.references.tasks import refresh_reference_pool

        register(
            Job(
                "refresh-reference-pool",
                timedelta(minutes=15),
                refresh_reference_pool.enqueue,
                "Keep the table of reference-ready advocates in step with the signals.",
            )
        )
