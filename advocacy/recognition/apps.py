from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "advocacy.recognition"
    label = "recognition"
    verbose_name = "Recognition"
