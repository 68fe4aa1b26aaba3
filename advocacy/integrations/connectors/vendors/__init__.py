"""The connectors, one module per vendor; importing this package registers them all."""

from advocacy.integrations.connectors.vendors import delighted, typeform, webhook

__all__ = ["delighted", "typeform", "webhook"]
