from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "advocacy.web"
    label = "web"
    verbose_name = "Staff web UI"
