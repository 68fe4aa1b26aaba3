from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "advocacy.signals"
    label = "signals"  # the app, not django.dispatch
    verbose_name = "Signals"

    def ready(self) -> None:
        from advocacy.signals.jobs import register

        register()
