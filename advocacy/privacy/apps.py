from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "advocacy.privacy"
    label = "privacy"
    verbose_name = "Privacy"
