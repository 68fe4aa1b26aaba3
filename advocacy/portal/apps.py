from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "advocacy.portal"
    label = "portal"
    verbose_name = "Advocate portal"
