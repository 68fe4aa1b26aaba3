from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "advocacy.metrics"
    label = "metrics"
