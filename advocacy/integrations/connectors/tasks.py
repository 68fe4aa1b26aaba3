"""Background tasks of the connectors: thin wrappers around a service."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from advocacy.integrations.connectors.processing import process


@task()
def process_inbox(inbox_ids: list[int]) -> dict[str, Any]:
    """Map stored requests to signals (advocacy.integrations.connectors.processing)."""
    return process(inbox_ids, now=timezone.now()).as_dict()
