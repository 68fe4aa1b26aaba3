from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "advocacy.metrics"
    label = "metrics"

    def ready(self) -> None:
        from advocacy.metrics.jobs import register

        register()
