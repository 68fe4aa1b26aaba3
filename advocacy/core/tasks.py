"""Background tasks of the core: thin wrappers around a service."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from advocacy.core.jobs import execute
from advocacy.core.maintenance import analyze


@task()
def analyze_database() -> dict[str, Any]:
    """Refresh the planner statistics (see advocacy.core.maintenance)."""
    return {"analyzed": analyze()}


@task()
def run_job(job_id: int) -> dict[str, Any]:
    """Run one job (advocacy.core.jobs): the work of its kind, its progress on its record."""
    return execute(job_id)
