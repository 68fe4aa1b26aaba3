"""Background tasks of value moments: thin wrappers that read the clock and call a service."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from advocacy.value.schedule import run_due


@task()
def send_value_moments() -> dict[str, Any]:
    """Send the value moments whose period just ended; record what the program gave."""
    return run_due(timezone.now())
