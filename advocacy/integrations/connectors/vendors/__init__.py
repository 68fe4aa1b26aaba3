"""The connectors, one module per vendor; importing this package registers them all."""

from advocacy.integrations.connectors.vendors import (
    asknicely,
    delighted,
    formbricks,
    typeform,
    webhook,
)

__all__ = ["asknicely", "delighted", "formbricks", "hubspot", "typeform", "webhook"]
