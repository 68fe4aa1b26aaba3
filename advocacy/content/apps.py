from datetime import timedelta

from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "advocacy.content"
    label = "content"

    def ready(self) -> None:
        from advocacy.content.models import AssetStatus
        from advocacy.content.tasks import expire_content
        from advocacy.core import labels
        from advocacy.core.scheduler import Job, register

        labels.register("asset_status", AssetStatus.choices)
        register(
            Job(
                "expire-content",
                timedelta(hours=1),
                expire_content.enqueue,
                "Expire assets past their consent; flag those expiring soon for re-permission.",
            )
        )
