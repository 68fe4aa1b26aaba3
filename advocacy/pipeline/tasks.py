"""Background tasks of the pipeline: thin wrappers that read the clock and call a service."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from advocacy.pipeline.escalation import escalate_overdue


@task()
def escalate_overdue_asks() -> dict[str, Any]:
    """Escalate the open asks overdue past the grace period (once each: safe to run again)."""
    return escalate_overdue(now=timezone.now()).as_dict()
