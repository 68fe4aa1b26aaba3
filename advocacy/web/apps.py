from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "advocacy.web"
    label = "web"
    verbose_name = "Staff web UI"

    def ready(self) -> None:
        from advocacy.web import middleware  # noqa: F401  (connects the login receiver)
