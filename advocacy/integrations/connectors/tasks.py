"""Background tasks of the connectors: thin wrappers around a service."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from advocacy.integrations.connectors.processing import drain


@task()
def drain_inbox() -> dict[str, Any]:
    """Map every pending request to signals (advocacy.integrations.connectors.processing)."""
    return drain(now=timezone.now).as_dict()
