from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "advocacy.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from advocacy.core import labels
        from advocacy.people.models import Role

        labels.register("role", Role.choices)
