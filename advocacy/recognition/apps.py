from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "advocacy.recognition"
    label = "recognition"
    verbose_name = "Recognition"

    def ready(self) -> None:
        from advocacy.recognition.personal import register_holdings

        # The badges a person holds, for the privacy export and erasure.
        register_holdings()
