from django.apps import AppConfig


class SlackConfig(AppConfig):
    name = "advocacy.integrations.slack"
    label = "slack"
    verbose_name = "Slack for the team"

    def ready(self) -> None:
        from advocacy.integrations.slack.delivery import deliver_notices
        from advocacy.pipeline import notice_channels

        # The worker's delivery pass posts the notices due on Slack after its emails.
        notice_channels.register("slack", deliver_notices)
