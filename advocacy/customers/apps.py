from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class CustomersConfig(AppConfig):
    name = "advocacy.customers"
    label = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        from advocacy.core import labels
        from advocacy.customers.models import Persona, Region, SizeBand

        checks.register(suppression_key_check, checks.Tags.security, deploy=True)
        labels.register("persona", Persona.choices)
        labels.register("region", Region.choices)
        labels.register("size_band", SizeBand.choices)


def suppression_key_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`check --deploy`: without its own key, the suppression list hangs on the secret key."""
    if getattr(settings, "SUPPRESSION_KEY", ""):
        return []
    return [
        checks.Warning(
            "ADVOCACY_SUPPRESSION_KEY is not set: the hashes of people erased on request are "
            "keyed by ADVOCACY_SECRET_KEY, so rotating the secret key lets them be imported "
            "again.",
            hint="Set ADVOCACY_SUPPRESSION_KEY to 32 or more random characters and never "
            "change it (docs/privacy.md).",
            id="advocacy.W001",
        )
    ]
