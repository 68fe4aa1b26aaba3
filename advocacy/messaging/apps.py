from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "advocacy.messaging"
    label = "messaging"
    verbose_name = "Messages to advocates"
