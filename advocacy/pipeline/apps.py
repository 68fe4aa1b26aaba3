from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "advocacy.pipeline"
    label = "pipeline"
