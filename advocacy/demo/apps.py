from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "advocacy.demo"
    label = "demo"
