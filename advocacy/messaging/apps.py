from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "advocacy.messaging"
    label = "messaging"
    verbose_name = "Messages to advocates"

    def ready(self) -> None:
        from advocacy.messaging.outbox import on_asks_entered
        from advocacy.pipeline.hooks import register

        # Outbox rows are written in the transaction of the ask's opening or move.
        register("messaging.outbox", on_asks_entered)
