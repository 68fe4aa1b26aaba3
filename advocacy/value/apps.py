from django.apps import AppConfig


class ValueConfig(AppConfig):
    name = "advocacy.value"
    label = "value"
    verbose_name = "Value moments"

    def ready(self) -> None:
        from advocacy.messaging.models import MessageKind
        from advocacy.messaging.rendering import register_letter
        from advocacy.value.letters import render_value

        # The outbox renders value moments' rows with this app's letters.
        register_letter(MessageKind.VALUE, render_value)
