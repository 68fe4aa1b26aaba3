from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "advocacy.people"
    label = "people"
    verbose_name = "People"
