from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "advocacy.integrations.webhooks"
    label = "webhooks"
    verbose_name = "Outgoing webhooks"

    def ready(self) -> None:
        from advocacy.content import hooks as content_hooks
        from advocacy.integrations.webhooks import delivery, hooks
        from advocacy.pipeline import hooks as ask_hooks
        from advocacy.pipeline import notice_channels
        from advocacy.references import hooks as reference_hooks
        from advocacy.rewards import hooks as reward_hooks

        # Events are written in the transaction of their cause...
        ask_hooks.register("webhooks", hooks.on_asks_entered)
        content_hooks.register("webhooks", hooks.on_assets_entered)
        reference_hooks.register("webhooks", hooks.on_call_invited)
        reward_hooks.register_credit("webhooks", hooks.on_credited)
        # ...and sent by the worker's delivery pass, after its emails.
        notice_channels.register("webhooks", delivery.deliver_due)
