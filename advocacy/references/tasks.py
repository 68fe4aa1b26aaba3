"""Background tasks of the reference desk: thin wrappers that read the clock and call a service."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from advocacy.engine.services import current_policy
from advocacy.references.pool import refresh_changed


@task()
def refresh_reference_pool() -> dict[str, Any]:
    """Rewrite the pool rows of contacts whose signals changed since the last run."""
    return refresh_changed(now=timezone.now(), policy=current_policy())
