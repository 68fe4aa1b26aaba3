from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "advocacy.messaging"
    label = "messaging"
    verbose_name = "Messages to advocates"

    def ready(self) -> None:
        from advocacy.content import hooks as content_hooks
        from advocacy.messaging.outbox import (
            on_asks_entered,
            on_assets_entered,
            on_call_invited,
            on_tiers_rose,
        )
        from advocacy.messaging.personal import register_holdings
        from advocacy.pipeline import hooks as ask_hooks
        from advocacy.references import hooks as call_hooks
        from advocacy.rewards import hooks as tier_hooks

        # Outbox rows are written in the transaction of the ask's (or content's) move.
        ask_hooks.register("messaging.outbox", on_asks_entered)
        content_hooks.register("messaging.outbox", on_assets_entered)
        call_hooks.register("messaging.outbox", on_call_invited)
        tier_hooks.register("messaging.outbox", on_tiers_rose)
        # What the outbox holds about a person, for the privacy export and erasure.
        register_holdings()
