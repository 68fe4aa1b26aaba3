from django.apps import AppConfig


class WorkQueueConfig(AppConfig):
    name = "advocacy.workqueue"
    label = "workqueue"
    verbose_name = "Work queue"
