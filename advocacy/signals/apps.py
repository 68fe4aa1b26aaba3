from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "advocacy.signals"
    label = "signals"  # the app, not django.dispatch
    verbose_name = "Signals"

    def ready(self) -> None:
        from advocacy.core import labels
        from advocacy.signals.jobs import register
        from advocacy.signals.models import SignalKind

        register()
        # The moment an ask answers is the kind of the signal that triggered it.
        labels.register("signal_kind", SignalKind.choices)
        labels.register("moment", SignalKind.choices)
