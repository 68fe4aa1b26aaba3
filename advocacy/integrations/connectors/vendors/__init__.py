"""The connectors, one module per vendor; importing this package registers them all."""

from advocacy.integrations.connectors.vendors import (
    asknicely,
    delighted,
    formbricks,
    hubspot,
    hubspot_crm,
    salesforce,
    typeform,
    webhook,
)

__all__ = [
    "asknicely",
    "delighted",
    "formbricks",
    "hubspot",
    "hubspot_crm",
    "salesforce",
    "typeform",
    "webhook",
]
