from datetime import timedelta

from django.apps import AppConfig


class ValueConfig(AppConfig):
    name = "advocacy.value"
    label = "value"
    verbose_name = "Value moments"

    def ready(self) -> None:
        from advocacy.core.scheduler import Job, register
        from advocacy.messaging.models import MessageKind
        from advocacy.messaging.rendering import register_letter
        from advocacy.value.jobs import register as register_jobs
        from advocacy.value.letters import render_value
        from advocacy.value.personal import register_holdings
        from advocacy.value.tasks import send_value_moments

        # The outbox renders value moments' rows with this app's letters.
        register_letter(MessageKind.VALUE, render_value)
        register_jobs()
        # What value moments hold about a person, for the privacy export and erasure.
        register_holdings()
        register(
            Job(
                "value-moments",
                timedelta(hours=1),
                send_value_moments.enqueue,
                "Send the insight emails and the year in review once their period is over.",
            )
        )
