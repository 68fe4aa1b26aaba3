from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "advocacy.integrations.connectors"
    label = "connectors"
    verbose_name = "Connections: inbound webhooks from survey tools and CRMs"

    def ready(self) -> None:
        # Each vendor's module registers its connector (advocacy.integrations.connectors.registry).
        from advocacy.integrations.connectors import vendors  # noqa: F401
