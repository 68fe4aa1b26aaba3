from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "advocacy.api"
    label = "api"
