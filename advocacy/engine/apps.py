from django.apps import AppConfig


class EngineConfig(AppConfig):
    name = "advocacy.engine"
    label = "engine"
