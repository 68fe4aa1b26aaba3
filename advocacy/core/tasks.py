"""Background tasks of the core: thin wrappers around a service."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from advocacy.core.maintenance import analyze


@task()
def analyze_database() -> dict[str, Any]:
    """Refresh the planner statistics (see advocacy.core.maintenance)."""
    return {"analyzed": analyze()}
