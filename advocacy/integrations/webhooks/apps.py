from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "advocacy.integrations.webhooks"
    label = "webhooks"
    verbose_name = "Outgoing webhooks"

    def ready(self) -> None:
        from advocacy.content import hooks as content_hooks
        from advocacy.integrations.webhooks import hooks
        from advocacy.pipeline import hooks as ask_hooks
        from advocacy.references import hooks as reference_hooks
        from advocacy.rewards import hooks as reward_hooks

        # Events are written in the transaction of their cause; the worker's thread
        # (advocacy.integrations.webhooks.loop) sends them.
        ask_hooks.register("webhooks", hooks.on_asks_entered)
        content_hooks.register("webhooks", hooks.on_assets_entered)
        reference_hooks.register("webhooks", hooks.on_call_invited)
        reward_hooks.register_credit("webhooks", hooks.on_credited)
